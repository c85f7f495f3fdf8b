#!/usr/bin/python3
"""Runs the shell and Python blocks of the documentation as a user would.

Every ```sh, ```console and ```python block of the given Markdown files is
run in order, one scratch copy of the repository per file (links to the
sources, the build and ../shared), so a block may use what an earlier block
of the same file wrote. The ```python blocks of a file share one
interpreter, as in a notebook, with the package importable
(PYTHONPATH=build/python, docs/python.md). ```console blocks run their
`$ ` lines only. An
HTML comment on the line before a block's fence changes how it runs
(docs/testing.md):

  <!-- doc-test: skip REASON -->        not run (a fragment, or too long for
                                        CI, or it needs a GPU); REASON shown
  <!-- doc-test: replace OLD => NEW --> run with OLD replaced by NEW (a short
                                        variant); OLD must occur in the block

Several markers may precede one block, one per line. Prints one line per
block ('FILE:LINE: ok', 'skipped: REASON' or 'FAILED' with the block's
output); exits 1 when a block fails, a marker is malformed or stale, or a
page cites a file of ../shared other than its data.
"""
import argparse
import os
import pathlib
import re
import select
import subprocess
import sys
import time

FENCE = re.compile(r"^```(\w*)\s*$")
MARKER = re.compile(r"^<!--\s*doc-test:\s*(.*?)\s*-->\s*$")
RUNNABLE = {"sh", "console", "python"}
# Documentation travels with the repository; ../shared's data is what the
# commands read, the rest of ../shared is not the reader's.
OUTSIDE = re.compile(r"\.\./shared/(?!data\b)")


class DocError(Exception):
    pass


def blocks(path):
    """Yields (line, language, text, markers) for every fenced block."""
    lines = path.read_text().splitlines()
    k = 0
    while k < len(lines):
        m = FENCE.match(lines[k])
        if not m:
            k += 1
            continue
        start, language = k, m.group(1)
        end = start + 1
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        if end == len(lines):
            raise DocError(f"{path}:{start + 1}: unterminated code block")
        markers = []
        j = start - 1
        while j >= 0 and MARKER.match(lines[j]):
            markers.insert(0, MARKER.match(lines[j]).group(1))
            j -= 1
        yield start + 1, language, "\n".join(lines[start + 1:end]) + "\n", \
            markers
        k = end + 1


def apply_markers(where, text, markers):
    """Returns (text to run, skip reason or None)."""
    for marker in markers:
        if marker.startswith("skip"):
            reason = marker[len("skip"):].strip()
            if not reason:
                raise DocError(f"{where}: 'skip' needs a reason")
            return text, reason
        if marker.startswith("replace "):
            old, sep, new = marker[len("replace "):].partition(" => ")
            if not sep or not old:
                raise DocError(f"{where}: expected 'replace OLD => NEW'")
            if old not in text:
                raise DocError(f"{where}: stale marker: '{old}' is not in "
                               "the block")
            text = text.replace(old, new)
        else:
            raise DocError(f"{where}: unknown marker '{marker}'")
    return text, None


def scratch_repo(work, name, root, build, shared):
    """A directory that looks like a fresh clone with ../shared beside it."""
    top = work / name
    repo = top / "repo"
    repo.mkdir(parents=True)
    for entry in root.iterdir():
        if entry.name in ("build", ".git") or entry.name.startswith("build"):
            continue
        (repo / entry.name).symlink_to(entry)
    (repo / "build").symlink_to(build)
    (top / "shared").symlink_to(shared)
    return repo


# The interpreter the python blocks of one page share: it reads a block
# (its length in characters on a line, then the text), runs it in one
# namespace and answers with the length of its output, 1 or 0 for success,
# then the output.
SESSION = r"""
import contextlib, io, sys, traceback
namespace = {"__name__": "__main__"}
while True:
    header = sys.stdin.readline()
    if not header:
        break
    code = sys.stdin.read(int(header))
    out, ok = io.StringIO(), 1
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            exec(compile(code, "<block>", "exec"), namespace)
        except BaseException:
            traceback.print_exc()
            ok = 0
    text = out.getvalue()
    sys.__stdout__.write(f"{len(text)} {ok}\n{text}")
    sys.__stdout__.flush()
"""


class PythonSession:
    """One python3 for the python blocks of a page."""

    def __init__(self, repo, env):
        self.process = subprocess.Popen(
            ["/usr/bin/python3", "-c", SESSION], cwd=repo, text=True,
            env=dict(env, PYTHONPATH=str(repo / "build" / "python"),
                     XDG_CACHE_HOME=str(repo.parent / "cache")),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)

    def run(self, text, timeout):
        """(0 or 1 or 'timeout', output)."""
        self.process.stdin.write(f"{len(text)}\n{text}")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            self.process.kill()
            return "timeout", ""
        header = self.process.stdout.readline().split()
        if len(header) != 2:
            return "crashed", self.process.stdout.read()
        output = self.process.stdout.read(int(header[0]))
        return (0 if header[1] == "1" else 1), output

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait()


def command(language, text):
    if language == "console":
        text = "\n".join(line[2:] for line in text.splitlines()
                         if line.startswith("$ "))
    return ["bash", "-euo", "pipefail", "-c", text]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="*", type=pathlib.Path,
                   help="Markdown files, relative to --root (default: "
                   "README.md and docs/*.md)")
    p.add_argument("--root", type=pathlib.Path, required=True,
                   help="the source tree")
    p.add_argument("--build", type=pathlib.Path, required=True,
                   help="the build tree (becomes build/)")
    p.add_argument("--shared", type=pathlib.Path, required=True,
                   help="the shared material (becomes ../shared)")
    p.add_argument("--work", type=pathlib.Path, required=True,
                   help="an empty scratch directory")
    p.add_argument("--timeout", type=float, default=300,
                   help="seconds per block (default 300)")
    args = p.parse_args()

    env = dict(os.environ, MPLBACKEND="Agg")
    files = args.files or [pathlib.Path("README.md")] + sorted(
        f.relative_to(args.root) for f in (args.root / "docs").glob("*.md"))
    failed = 0
    for doc in files:
        path = args.root / doc
        try:
            outside = [n + 1 for n, text in
                       enumerate(path.read_text().splitlines())
                       if OUTSIDE.search(text)]
            if outside:
                raise DocError(f"{doc}:{outside[0]}: cites a file outside "
                               "the repository (only ../shared/data is "
                               "read by commands)")
            found = list(blocks(path))
            planned = [(line, language, *apply_markers(f"{doc}:{line}", text,
                                                       markers))
                       for line, language, text, markers in found
                       if language in RUNNABLE]
        except (DocError, OSError) as e:
            print(f"error: {e}")
            failed += 1
            continue
        repo = session = None
        for line, language, text, skip in planned:
            where = f"{doc}:{line}"
            if skip:
                print(f"{where}: skipped: {skip}")
                continue
            if repo is None:
                repo = scratch_repo(args.work.resolve(),
                                    str(doc).replace("/", "_"),
                                    args.root.resolve(), args.build.resolve(),
                                    args.shared.resolve())
            t0 = time.monotonic()
            if language == "python":
                if session is None:
                    session = PythonSession(repo, env)
                rc, output = session.run(text, args.timeout)
            else:
                try:
                    done = subprocess.run(command(language, text), cwd=repo,
                                          env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, text=True,
                                          timeout=args.timeout)
                    rc, output = done.returncode, done.stdout
                except subprocess.TimeoutExpired as e:
                    rc, output = "timeout", (e.stdout or b"").decode(
                        errors="replace")
            seconds = time.monotonic() - t0
            if rc == 0:
                print(f"{where}: ok ({seconds:.1f} s)")
            else:
                failed += 1
                print(f"{where}: FAILED (exit {rc}, {seconds:.1f} s)")
                print("  " + text.rstrip().replace("\n", "\n  "))
                print("  output:\n    " +
                      "\n    ".join(output.rstrip().splitlines()[-30:]))
        if session is not None:
            session.close()
    print(f"doc-commands: {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
