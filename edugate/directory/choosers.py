"""Modal choosers for units and people: searchable without diacritics, limited to scope.

A Department has 60,000 people and 2,000 units; a ``<select>`` of them is unusable, so forms
pick them through these choosers instead.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet

from edugate.core.text import fold
from edugate.directory.models import Person, Unit
from edugate.directory.permissions import people_in_scope
from edugate.directory.scope import scope_for


class FoldedSearchForm(BaseFilterForm):
    """Search that ignores diacritics and case: ``truong`` finds ``Trường``."""

    q = forms.CharField(
        label=_("Search term"), required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Search")}),
    )

    def filter(self, objects: Any) -> Any:
        objects = super().filter(objects)
        query = fold(self.cleaned_data.get("q") or "")
        if query:
            self.is_searching = True
            self.search_query = query
            for word in query.split():
                objects = objects.filter(search_name__contains=word)
        return objects


class ScopedChooseMixin:
    request: Any
    filter_form_class = FoldedSearchForm

    def get_object_list(self) -> Any:
        return scoped_objects(self.model_class, self.request.user)  # type: ignore[attr-defined]


def scoped_objects(model: type[Any], user: Any) -> Any:
    scope = scope_for(user)
    if model is Unit:
        return Unit.objects.filter(scope.units_q()).order_by("path")
    return people_in_scope(scope).order_by("given_name", "family_name", "id")


class ScopedChooseView(ScopedChooseMixin, chooser_views.ChooseView):
    pass


class ScopedChooseResultsView(ScopedChooseMixin, chooser_views.ChooseResultsView):
    pass


class ScopedChosenView(chooser_views.ChosenView):
    def get_object(self, pk: Any) -> Any:
        try:
            return scoped_objects(self.model_class, self.request.user).get(pk=pk)
        except (ValueError, self.model_class.DoesNotExist) as exc:
            raise Http404 from exc


class ScopedChosenMultipleView(chooser_views.ChosenMultipleView):
    def get_objects(self, pks: Any) -> Any:
        valid = [pk for pk in pks if pk.isascii() and pk.isdigit()]
        return scoped_objects(self.model_class, self.request.user).filter(pk__in=valid)


class ScopedChooserViewSet(ChooserViewSet):
    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView
    chosen_view_class = ScopedChosenView
    chosen_multiple_view_class = ScopedChosenMultipleView
    per_page = 20


unit_chooser_viewset = ScopedChooserViewSet(
    "unit_chooser", model=Unit, icon="folder-open-inverse",
    choose_one_text=_("Choose a unit"), choose_another_text=_("Choose another unit"),
)
person_chooser_viewset = ScopedChooserViewSet(
    "person_chooser", model=Person, icon="user",
    choose_one_text=_("Choose a person"), choose_another_text=_("Choose another person"),
)
