"""Directory benchmarks on a loaded province: the queries every screen and rule depends on.

Goal: under 20 ms each. Prints `bench <name> [<backend>]: median X ms (p90 Y ms, n=N)`.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from edugate.accounts.models import User  # noqa: E402
from edugate.directory.models import RoleKind, Unit, UnitKind  # noqa: E402
from edugate.directory.scope import Scope  # noqa: E402
from edugate.directory.selectors import RoleHolder, role_holders  # noqa: E402

GOAL_MS = 20.0


def measure(name: str, backend: str, fn: Callable[[], Any], runs: int = 30) -> None:
    fn()  # warm caches and connections, as a running server would have them
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    median = statistics.median(times)
    p90 = times[int(len(times) * 0.9) - 1]
    verdict = "ok" if median < GOAL_MS else f"OVER the {GOAL_MS:.0f} ms goal"
    print(f"bench {name} [{backend}]: median {median:.2f} ms (p90 {p90:.2f} ms, n={runs}) "
          f"{verdict}", flush=True)


def main(backend: str) -> None:
    department = Unit.objects.get(kind=UnitKind.DEPARTMENT, depth=1)
    school = (Unit.objects.filter(kind=UnitKind.INSTITUTION, depth__gte=3)
              .order_by("path").last())
    assert school is not None

    def heads() -> list[RoleHolder]:
        return role_holders(within=Scope.full(), under=department, kind=RoleKind.HEAD,
                            unit_kind=UnitKind.INSTITUTION)

    count = len(heads())
    measure(f"heads_of_institutions_in_department_subtree ({count} heads)", backend, heads)
    measure("ancestors_of_a_school", backend, lambda: list(school.ancestors()))

    admin = User.objects.filter(person__roles__kind=RoleKind.ADMINISTRATOR,
                                person__roles__unit=department).first()
    assert admin is not None, "the demo has no Department administrator login"
    # A plain client (no test-environment template instrumentation), as a browser would be.
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    url = f"/admin/people/?unit={school.pk}"

    def staff_page() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    measure(f"admin_list_of_one_school_staff ({school.memberships.count()} people)",
            backend, staff_page)

    per_page: list[float] = []
    counts: list[int] = []
    for _ in range(10):
        timings: list[float] = []

        def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timings.append((time.perf_counter() - start) * 1000)  # noqa: B023

        with connection.execute_wrapper(timed):
            staff_page()
        per_page.append(sum(timings))
        counts.append(len(timings))
    print(f"bench admin_list_of_one_school_staff.sql [{backend}]: {counts[0]} queries, median "
          f"{statistics.median(per_page):.2f} ms of each page in the database", flush=True)
    measure("admin_dashboard_baseline (Wagtail's empty dashboard, for comparison)", backend,
            lambda: client.get("/admin/"))



if __name__ == "__main__":
    main(sys.argv[1])
