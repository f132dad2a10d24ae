"""The ``autograder`` command: grade a notebook or a class, check a notebook before submitting,
run the submission service and issue its access codes."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from autograder.batch import export_csv, grade_all
from autograder.check import check_notebook
from autograder.course import Course
from autograder.grading import grade_notebook
from autograder.report import feedback_html, results_json, summary_table

DEFAULT_COURSE = Path(__file__).resolve().parent.parent / "exercises"


def _course(path: Path) -> Course:
    try:
        return Course(path)
    except FileNotFoundError as error:
        raise SystemExit(f"autograder: {error} (use --course to point at the nbgrader course folder)") from None


def cmd_grade(args: argparse.Namespace) -> int:
    course = _course(args.course)
    result = grade_notebook(args.submission, course, args.assignment)
    if args.feedback:
        args.feedback.mkdir(parents=True, exist_ok=True)
        page = args.feedback / f"{args.submission.stem}-feedback.html"
        page.write_text(feedback_html(result), encoding="utf-8")
    if args.json:
        json.dump(results_json(result), sys.stdout, indent=2)
        print()
    else:
        print(summary_table(result))
        if args.feedback:
            print(f"Feedback page: {page}")
    return 0 if result.graded else 1


def cmd_grade_all(args: argparse.Namespace) -> int:
    course = _course(args.course)
    db_url = args.db or f"sqlite:///{course.root.resolve() / 'gradebook.db'}"
    if not args.path.exists():
        raise SystemExit(f"autograder: {args.path} does not exist")
    summary = grade_all(args.path, course, db_url, args.force, workers=args.workers)
    print(summary.text())
    if args.csv:
        rows = export_csv(db_url, args.csv)
        print(f"CSV: {args.csv} ({rows} rows)")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    report = check_notebook(args.notebook)
    print(report.text())
    return 0 if report.ready else 1


def _service_db(args: argparse.Namespace, course: Course) -> str:
    return args.db or f"sqlite:///{course.root.resolve() / 'gradebook.db'}"


def _secret_file(course: Course) -> Path:
    return course.root.resolve() / ".autograder-service-secret"


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from autograder.service.app import Settings, create_app

    course = _course(args.course)
    settings = Settings(course.root, _service_db(args, course), _secret_file(course), args.workers)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="warning")
    return 0


def cmd_roster(args: argparse.Namespace) -> int:
    from autograder.service import access, store

    course = _course(args.course)
    engine = store.connect(_service_db(args, course))
    secret = access.load_secret(_secret_file(course))
    try:
        if args.action == "import":
            count = access.import_roster(engine, secret, args.file, args.out)
            print(f"issued access codes to {count} students: give each one theirs from {args.out}")
        else:
            code = access.issue(engine, secret, args.name, "instructor")
            print(f"access code for instructor {args.name}: {code}")
    except (OSError, ValueError) as error:
        raise SystemExit(f"autograder roster: {error}") from None
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description="Grade Balancing's exercise notebooks.")
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help="grade one submitted notebook")
    grade.add_argument("submission", type=Path)
    grade.add_argument("--assignment", help="the assignment id, if the notebook's own content should not decide")
    grade.add_argument("--course", type=Path, default=DEFAULT_COURSE, help="the nbgrader course folder")
    grade.add_argument("--json", action="store_true", help="print Gradescope's results.json")
    grade.add_argument("--feedback", type=Path, metavar="DIR", help="write an HTML feedback page into DIR")
    grade.set_defaults(run=cmd_grade)

    batch = commands.add_parser("grade-all", help="grade a class: nbgrader's submitted/ folder or an LMS zip")
    batch.add_argument("path", type=Path, help="a submitted/ folder (or the course folder) or a Canvas/Moodle zip")
    batch.add_argument("--course", type=Path, default=DEFAULT_COURSE, help="the nbgrader course folder")
    batch.add_argument("--db", help="gradebook SQLAlchemy URL (default: the course's gradebook.db)")
    batch.add_argument("--force", action="store_true", help="regrade what is already graded (overrides are kept)")
    batch.add_argument("--csv", type=Path, help="also export every score to this CSV file")
    batch.add_argument("--workers", type=int, help="notebooks graded at once (default: the number of cores)")
    batch.set_defaults(run=cmd_grade_all)

    check = commands.add_parser("check", help="check your notebook before you submit it")
    check.add_argument("notebook", type=Path)
    check.set_defaults(run=cmd_check)

    serve = commands.add_parser("serve", help="run the submission service (uploads, queue, feedback)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--course", type=Path, default=DEFAULT_COURSE, help="the nbgrader course folder")
    serve.add_argument("--db", help="gradebook SQLAlchemy URL (default: the course's gradebook.db)")
    serve.add_argument("--workers", type=int, default=2, help="notebooks graded at once")
    serve.set_defaults(run=cmd_serve)

    roster = commands.add_parser("roster", help="issue access codes for the submission service")
    roster.add_argument("--course", type=Path, default=DEFAULT_COURSE, help="the nbgrader course folder")
    roster.add_argument("--db", help="gradebook SQLAlchemy URL (default: the course's gradebook.db)")
    actions = roster.add_subparsers(dest="action", required=True)
    imported = actions.add_parser("import", help="issue a code to every student of a roster CSV (column 'id')")
    imported.add_argument("file", type=Path)
    imported.add_argument("--out", type=Path, default=Path("access-codes.csv"), help="where the codes are written")
    instructor = actions.add_parser("instructor", help="issue an instructor's code")
    instructor.add_argument("name")
    roster.set_defaults(run=cmd_roster)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
