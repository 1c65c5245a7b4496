"""The site link check and its memo of parsed pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from bureau_data.publish import site
from bureau_data.publish.site import BrokenLinksError, check_site_links


def _site(root: Path) -> None:
    (root / "article").mkdir(parents=True)
    (root / "index.html").write_text('<a href="article/">Article</a>', encoding="utf-8")
    (root / "article" / "index.html").write_text(
        '<img src="fig.png"><a href="../">Accueil</a>', encoding="utf-8")
    (root / "article" / "fig.png").write_bytes(b"png")


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    original = site.internal_links

    def counting(html_text: str) -> list[str]:
        calls[0] += 1
        return original(html_text)

    monkeypatch.setattr(site, "internal_links", counting)
    return calls


def test_memo_skips_unchanged_pages(tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    root, memo = tmp_path / "site", tmp_path / "state" / "liens.json"
    _site(root)
    calls = _count_parses(monkeypatch)
    check_site_links(root, memo=memo)
    assert calls[0] == 2
    assert memo.is_file()

    check_site_links(root, memo=memo)
    assert calls[0] == 2  # nothing changed: no page parsed again

    (root / "article" / "fig.png").unlink()
    with pytest.raises(BrokenLinksError, match=r"article/index.html : fig.png"):
        check_site_links(root, memo=memo)
    assert calls[0] == 2  # the deleted image is found without parsing the page


def test_changed_page_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, memo = tmp_path / "site", tmp_path / "liens.json"
    _site(root)
    check_site_links(root, memo=memo)
    calls = _count_parses(monkeypatch)
    (root / "index.html").write_text('<a href="absent/">Perdu</a>', encoding="utf-8")
    with pytest.raises(BrokenLinksError, match=r"index.html : absent/"):
        check_site_links(root, memo=memo)
    assert calls[0] == 1


@pytest.mark.parametrize("content", ["{pas du json", "[1, 2]", '{"index.html": {"links": "x"}}'])
def test_damaged_memo_full_check(tmp_path: Path, content: str) -> None:
    root, memo = tmp_path / "site", tmp_path / "liens.json"
    _site(root)
    memo.write_text(content, encoding="utf-8")
    check_site_links(root, memo=memo)
    (root / "article" / "index.html").write_text('<img src="autre.png">', encoding="utf-8")
    memo.write_text(content, encoding="utf-8")
    with pytest.raises(BrokenLinksError, match="autre.png"):
        check_site_links(root, memo=memo)
