"""People: children in pyjamas, and grown-ups (parents, grandparents) taller, with a grown-up's proportions."""

from __future__ import annotations

from storyteller.providers.offline.picture.canvas import RGB, line_of, mix, shade
from storyteller.providers.offline.picture.figures import Figure
from storyteller.providers.offline.picture.pen import Pen, cheeks, eyes, smile
from storyteller.providers.offline.picture.shapes import ellipse_points


def child(pen: Pen, figure: Figure) -> None:
    """A child in pyjamas, ready for bed; long hair and a bow for a girl, a curl on top for a boy."""
    skin, hair, fur = figure.skin, figure.hair, figure.colour
    girl = figure.style == "girl"
    if girl:
        for side in (-1, 1):
            pen.shape(ellipse_points(side * 30, -76, 7, 12, side * -35), hair)
        pen.blob(0, -62, 30, 27, hair)
        pen.shape([(-30, -62), (30, -62), (27, -40), (-27, -40)], hair)
    for side in (-1, 1):
        pen.blob(side * 9, -4, 9, 5.5, mix(fur, (255, 255, 255), 0.5))
        pen.shape([(side * 2, -20), (side * 15, -20), (side * 14, -6), (side * 3, -6)], fur)
    hem = 20 if girl else 17
    pen.shape([(-hem, -16), (-14, -50), (14, -50), (hem, -16)], fur)
    for dx, dy in ((-8, -38), (6, -30), (-4, -22), (9, -44)):
        pen.oval(dx, dy, 2.2, 2.2, (255, 255, 255, 170))
    for side in (-1, 1):
        pen.shape(ellipse_points(side * 19, -38, 5.5, 12, side * -18), fur)
        pen.blob(side * 22, -26, 4.5, 4.5, skin)
    pen.blob(0, -68, 25, 24, skin)
    line = line_of(hair)
    pen.draw.chord(pen.box(0, -74, 26.2, 20), 180, 360, fill=hair, outline=line, width=pen.width)
    for dx in (-18, -6, 6, 18):
        pen.oval(dx, -75, 7.5, 5, hair)
        pen.arc(dx, -75, 7.5, 5, 10, 170, line, 1.0)
    if girl:
        bow: RGB = (240, 120, 150)
        pen.shape([(14, -90), (26, -98), (26, -84)], bow)
        pen.shape([(14, -90), (2, -98), (2, -84)], bow)
        pen.blob(14, -90, 3, 3, bow)
    else:
        pen.stroke([(-2, -92), (4, -100), (10, -98)], hair, 3)
    eyes(pen, -62, 9, 3.2)
    smile(pen, -54, 4)
    cheeks(pen, -56, 15, 4.5)


def grown_up(pen: Pen, figure: Figure) -> None:
    """A parent or grandparent: long legs, a small head (a quarter of the height, a child's is half), and
    grey hair with a bun or a bald crown for a grandparent."""
    skin, hair, clothes = figure.skin, figure.hair, figure.colour
    she, elder = figure.style == "girl", figure.kind == "grandparent"
    shoe: RGB = (70, 60, 80)
    for side in (-1, 1):
        pen.blob(side * 7.5, -2.5, 6, 3, shoe)
        legs = skin if she else shade(clothes, 0.7)
        pen.shape([(side * 2, -46), (side * 11, -46), (side * 10, -5), (side * 3, -5)], legs)
    if she:
        pen.shape([(-12, -72), (12, -72), (18, -28), (-18, -28)], clothes)
    else:
        pen.shape([(-13, -72), (13, -72), (12, -42), (-12, -42)], clothes)
    for side in (-1, 1):
        pen.shape(ellipse_points(side * 16, -58, 4.2, 14, side * -8), clothes)
        pen.blob(side * 17.5, -44.5, 3.4, 3.4, skin)
    pen.shape([(-3.5, -76), (3.5, -76), (3.5, -70), (-3.5, -70)], skin)
    if she:
        pen.blob(0, -85, 14, 14, hair)
        pen.shape([(-14, -86), (14, -86), (13, -70), (-13, -70)], hair)
    pen.blob(0, -85, 12, 13, skin)
    line = line_of(hair)
    if elder and not she:
        for side in (-1, 1):  # a bald crown with grey at the sides
            pen.oval(side * 11, -87, 3.5, 5, hair)
    else:
        pen.draw.chord(pen.box(0, -88, 12.6, 10.5), 180, 360, fill=hair, outline=line, width=pen.width)
    if elder and she:
        pen.blob(0, -100, 6, 5, hair)  # a bun
    eyes(pen, -85, 4.6, 1.8)
    smile(pen, -79, 2.6)
    cheeks(pen, -80, 7.5, 2.4)
    if elder:
        for side in (-1, 1):  # smile lines
            pen.arc(side * 7.5, -86, 2.5, 2, 200, 340, line_of(skin), 0.5)
