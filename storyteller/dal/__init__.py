"""The data layer: the tables and the media bucket, read and written through boto3 (AWS or moto alike).

Items become models here and nowhere else; nothing in it knows how a story is made.
"""
