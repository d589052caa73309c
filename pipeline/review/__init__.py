"""The contributors' review page: a small local web app inside coprod.

:func:`create_app` builds the Starlette app for one film project; ``coprod review`` runs it with
uvicorn. ``links`` makes and checks contributors' private links, ``access`` decides what is
whose, ``editing`` saves caption edits onto the version the contributor saw, ``decisions``
records their sign-off, change request or withdrawal through :mod:`pipeline.clearance`,
``security`` holds the guards around the app, and ``words`` reads every sentence from
``catalogue.yaml``.
"""

from pipeline.review.app import create_app

__all__ = ["create_app"]
