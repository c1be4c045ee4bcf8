"""The page chooser offers only the pages of the user's own portals."""

from __future__ import annotations

from wagtail.models import Page

from edugate.portal.wagtail_hooks import visible_pages_q
from tests.portal.conftest import home_of


def _titles(user) -> set[str]:
    return set(Page.objects.filter(visible_pages_q(user)).filter(depth=2)
               .values_list("title", flat=True))


def test_school_admins_see_their_portal_only_and_the_department_sees_all(tree) -> None:
    assert _titles(tree.school_a_admin) == {tree.school_a.name}
    assert _titles(tree.office_admin) == {tree.office.name, tree.school_a.name,
                                          tree.school_b.name}
    assert Page.objects.filter(visible_pages_q(tree.dept_admin)).count() == Page.objects.count()
    news = home_of(tree.school_b).get_children().get(slug="tin-tuc")
    assert not Page.objects.filter(visible_pages_q(tree.school_a_admin), pk=news.pk).exists()
