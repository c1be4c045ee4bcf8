"""Registers the directory screens and choosers in the back office."""

from wagtail import hooks

from edugate.directory.choosers import person_chooser_viewset, unit_chooser_viewset
from edugate.directory.viewsets import DirectoryViewSetGroup


@hooks.register("register_admin_viewset")
def register_directory_viewsets() -> list[object]:
    return [DirectoryViewSetGroup(), unit_chooser_viewset, person_chooser_viewset]
