"""The watched folder's layout: what counts as dropped, when a file is complete, and moves that never
overwrite."""

from __future__ import annotations

from pathlib import Path

from pipeline.inbox import Inbox, Settling, error_file


def test_dropped_files_skip_our_folders_hidden_and_still_being_written_names(tmp_path: Path) -> None:
    inbox = Inbox.at(tmp_path)
    inbox.prepare()
    for name in ("a.pdf", "sub/b.tif", ".hidden.pdf", "c.pdf.part", "d.crdownload", "done/old.pdf", "~$lock.pdf"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    assert sorted(inbox.name_of(p) for p in inbox.dropped()) == ["a.pdf", "sub/b.tif"]


def test_a_file_is_ready_only_after_staying_unchanged_for_the_settle_time(tmp_path: Path) -> None:
    now = [100.0]
    settling = Settling(seconds=2.0, clock=lambda: now[0])
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"part one")
    assert settling.ready([scan]) == []
    now[0] += 1.5
    with scan.open("ab") as stream:
        stream.write(b" and part two")  # still being written: the clock starts again
    assert settling.ready([scan]) == []
    now[0] += 1.9
    assert settling.ready([scan]) == []
    now[0] += 0.2
    assert settling.ready([scan]) == [scan]
    assert settling.ready([]) == [] and settling.ready([scan]) == []  # a vanished file is forgotten


def test_claim_and_file_away_keep_the_name_and_never_overwrite(tmp_path: Path) -> None:
    inbox = Inbox.at(tmp_path)
    inbox.prepare()
    for round_ in (1, 2):
        (tmp_path / "sub").mkdir(exist_ok=True)
        (tmp_path / "sub" / "scan.pdf").write_bytes(b"round %d" % round_)
        claimed = inbox.claim(tmp_path / "sub" / "scan.pdf")
        assert claimed == inbox.processing / "sub" / "scan.pdf"
        assert inbox.name_of(claimed) == "sub/scan.pdf"
        assert not (tmp_path / "sub").exists()  # the emptied drop folder is removed
        filed = inbox.file_away(claimed, failed=True, error_text="为什么\n")
        assert filed == inbox.failed / "sub" / ("scan.pdf" if round_ == 1 else "scan (2).pdf")
        assert filed.read_bytes() == b"round %d" % round_
        assert error_file(filed).read_text(encoding="utf-8") == "为什么\n"
    assert inbox.claimed() == []
    assert inbox.claim(tmp_path / "gone.pdf") is None
