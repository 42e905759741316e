"""A picture-book page drawn with Pillow, one module per part of the picture; `page.render` draws it."""
