"""The advisory group's review of the whole cut (issue 26).

:mod:`.advisers` reads film.yaml's ``advisers:`` and ``approvals:``; :mod:`.store` is the
comments file; :mod:`.cut` is the group's cut (a ``review`` render with withheld clips as cards)
and its key; :mod:`.approval` binds the group's approval to a cut and refuses a publishing
render the group has not approved; :mod:`.listing` is what ``coprod feedback`` prints.
Nothing is imported here, so film.yaml's validator can import :mod:`.advisers` alone.
"""
