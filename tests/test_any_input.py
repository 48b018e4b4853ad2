"""Any text or bytes as a story, a person or site.yaml: exit 0 or 1, problems at file and line.

Hypothesis writes the file, the build runs in this process, and the test holds that it
never raises, never prints a traceback, exits 0 or 1, and that everything it says is
`path:line: severity: message` (or the one closing summary line).
"""

from __future__ import annotations

import contextlib
import io
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firsthand.commands import cli
from sites import TODAY

PROBLEM = re.compile(r"^[^\s:][^:]*:[1-9]\d*: (error|warning): \S.*$")
SUMMARY = re.compile(r"^Build failed: \d+ errors?, \d+ warnings?\. .* was left as it was\.$")

KEYS = ["title", "author", "date", "summary", "tags", "image", "image_alt", "share", "slug",
        "draft", "name", "role", "handles", "photo", "company", "base_url", "social",
        "guidelines", "banned_terms", "x", "linkedin", "platforms", "sumary", "tag", "extra"]
VALUES = ["ana", '"quoted"', "'I'm'", '"open', "'open", "a: b", "[a, b", "{x: 1", "- a", "-",
          "&a [1]", "*a", "!!python/object:os.system", "no", "~", "2026-02-30", "2026-01-05",
          "10.2.2026", "https://c.example/", "javascript:alert(1)", "../../etc/passwd",
          "photo.jpg", "\u202eevil", "😀", "\x00", "\t", "|", ">", "#", "@x", "`x`", "%",
          "[" * 40, "{a: " * 20, "x" * 5000, "**a** " * 120, "true", "0", "-1", "1e999", ""]
INDENTS = ["", "", "", "  ", "    ", "\t", " - "]


@st.composite
def yamlish(draw) -> str:
    """Lines that look like front matter or site.yaml, mistakes included."""
    lines = draw(st.lists(st.tuples(st.sampled_from(INDENTS), st.sampled_from(KEYS),
                                    st.sampled_from([": ", ":", " ", ":\t"]),
                                    st.sampled_from(VALUES)), max_size=12))
    return "\n".join("".join(parts) for parts in lines) + draw(st.sampled_from(["", "\n"]))


@st.composite
def story(draw) -> str | bytes:
    front = draw(yamlish())
    body = draw(st.one_of(st.text(max_size=300), st.sampled_from(
        ["Hello.", "![](p.jpg)", "[a](javascript:x)", "> " * 50 + "deep", "<script>x</script>"])))
    closing = draw(st.sampled_from(["---\n", "", "...\n", "--- \n"]))
    return f"---\n{front}\n{closing}{body}"


ANY_TEXT = st.one_of(st.text(max_size=400), st.binary(max_size=400), yamlish())
GOOD_STORY = "---\ntitle: Hello\nauthor: ana\ndate: 2026-01-05\n---\nA story.\n"
INPUTS = {
    "stories/2026-01-05-s.md": st.one_of(
        ANY_TEXT, story(), story().map(str.encode),
        st.text(max_size=1500).map(lambda body: GOOD_STORY.replace("A story.\n", body))),
    "people/ana.yaml": ANY_TEXT,
    "site.yaml": ANY_TEXT,
}


def build_in_process(source) -> tuple[int, str]:
    """`python build.py build --source SOURCE --quiet`, here: (exit status, what it printed)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(["build", "--source", str(source), "--quiet", "--jobs", "1"])
        except SystemExit as exit_:          # argparse: wrong usage
            code = exit_.code
    return code, err.getvalue() + out.getvalue()


@pytest.mark.parametrize("target", list(INPUTS))
def test_any_input_gets_an_answer_at_file_and_line(make_site, monkeypatch, target):
    monkeypatch.setenv("FIRSTHAND_TODAY", TODAY)
    site = make_site(site="title: T\ncompany: C\nbase_url: https://c.example/\n",
                     people={"ana": "name: Ana\nrole: Lead\n"},
                     stories={"2026-01-05-s.md": GOOD_STORY})
    tried = []

    @settings(max_examples=int(os.environ.get("FIRSTHAND_EXAMPLES", "200")), deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow], database=None)
    @given(data=INPUTS[target])
    def holds(data):
        tried.append(data)
        (site.root / target).write_bytes(data if isinstance(data, bytes) else
                                         data.encode("utf-8", "surrogatepass"))
        code, said = build_in_process(site.root)
        assert code in (0, 1), said
        assert "Traceback" not in said
        for line in said.splitlines():
            assert PROBLEM.match(line) or SUMMARY.match(line), line

    holds()
    print(f"\n{target}: {len(tried)} inputs tried")
    assert len(tried) >= 20
