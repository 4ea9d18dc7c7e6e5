"""The stamps members' kept pages were rendered under (``clubsite.kept_pages``)."""

from django.db import models


class PageStamp(models.Model):
    """One stamp: a member's (``member:<id>``) or the club's (``club``). A
    write sets a new random token; a page kept under another token is
    rendered again. Rows are never deleted: a token is only ever replaced."""

    key = models.CharField(primary_key=True, max_length=40)
    token = models.CharField(max_length=16)

    def __str__(self) -> str:
        return self.key
