"""The sieve scripts Dovecot runs for a mailbox: out-of-office replies."""

from __future__ import annotations

import datetime

from edugate.mail.sieve import AutoReply, quote, render_script


def test_no_reply_no_script() -> None:
    assert render_script(None, addresses=["a@x.vn"]) == ""


def test_a_reply_without_dates_answers_every_sender_once_a_day() -> None:
    script = render_script(AutoReply("Nghỉ phép", "Tôi nghỉ phép.\nLiên hệ vanthu@x.vn"),
                           addresses=["annv@x.vn", "an.nguyen@x.vn"])
    assert script.startswith('require ["vacation"];\r\n')
    assert ':days 1 :subject "Nghỉ phép"' in script
    assert ':addresses ["annv@x.vn", "an.nguyen@x.vn"]' in script
    assert '"Tôi nghỉ phép.\r\nLiên hệ vanthu@x.vn";' in script
    assert "currentdate" not in script


def test_dates_bound_the_reply() -> None:
    script = render_script(AutoReply("", "Vắng", datetime.date(2026, 12, 1),
                                     datetime.date(2026, 12, 31)), addresses=["a@x.vn"])
    assert 'require ["vacation", "date", "relational"];' in script
    assert ('if allof(currentdate :value "ge" "date" "2026-12-01", '
            'currentdate :value "le" "date" "2026-12-31") {') in script


def test_quotes_and_backslashes_cannot_break_out_of_the_string() -> None:
    hostile = 'x"; discard; "\\'
    quoted = quote(hostile)
    assert quoted == '"x\\"; discard; \\"\\\\"'
    script = render_script(AutoReply(hostile, hostile), addresses=["a@x.vn"])
    # Every double quote inside the text is escaped: the script has exactly one statement.
    assert script.count("vacation :days") == 1
    assert "discard" not in script.replace('\\"; discard; \\"', "")


def test_dovecots_compiler_accepts_every_script_we_write(tmp_path) -> None:
    """Pigeonhole's own compiler (sievec) checks the syntax and the extensions we require."""
    import subprocess

    cases = [
        AutoReply("Nghỉ phép", "Tôi nghỉ phép.\nLiên hệ vanthu@x.vn"),
        AutoReply('Có "dấu" \\ lạ', "Dòng 1\r\n.\r\nDòng 3", datetime.date(2026, 12, 1), None),
        AutoReply("", "Vắng", None, datetime.date(2026, 12, 31)),
    ]
    config = tmp_path / "dovecot.conf"
    config.write_text("protocols =\nplugin {\n  sieve_extensions = +vacation\n}\n")
    for number, reply in enumerate(cases):
        source = tmp_path / f"s{number}.sieve"
        source.write_text(render_script(reply, addresses=["a@x.vn"]), newline="")
        result = subprocess.run(["sievec", "-c", str(config), str(source)],
                                capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
