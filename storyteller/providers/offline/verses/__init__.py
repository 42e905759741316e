"""The offline writer's verse, as data: `couplets` holds the shapes, `arc` the beats every story tells,
`plots` the small problems a story is about. The logic that picks and phrases them is in `writer.py`."""
