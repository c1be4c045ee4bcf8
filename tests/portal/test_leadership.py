"""Who counts as a leader, by title: pure rules."""

import pytest

from edugate.portal.leadership import DEPUTY, HEAD, leader_rank


@pytest.mark.parametrize(("position", "rank"), [
    ("Hiệu trưởng", HEAD),
    ("Phó Hiệu trưởng", DEPUTY),
    ("Giám đốc Sở", HEAD),
    ("Phó Giám đốc Sở", DEPUTY),
    ("Trưởng phòng", HEAD),
    ("Phó Trưởng phòng", DEPUTY),
    ("Giáo viên", None),
    ("Tổ trưởng chuyên môn", None),
    ("Phó bí thư đoàn trường", None),
    ("", None),
])
def test_leader_rank(position: str, rank: int | None) -> None:
    assert leader_rank(position) == rank
