"""The console's pages and actions (Flask): 总览, a unit's page, 拖入报表 (数据质量: quality.py), and the long jobs.

Each request loads the campaign from its folder and calls the library; the long jobs run in
child processes (``Jobs``, ``worker``). Safety (``safety``, ``guard``, ``login``): the PC's own Host names, a password when
asked for (throttled, sessions that expire), a CSRF token and the page's own Origin on every POST,
upload limits, files only from inside the campaign folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, jsonify, redirect, render_template, request, send_file, session, url_for
from werkzeug.exceptions import HTTPException, NotFound, RequestEntityTooLarge
from werkzeug.wrappers import Response

from xltool.app import wording
from xltool.app.mail import mail_settings
from xltool.app.reports import REPORT_FORMATS
from xltool.app.unit import annotated_copy, save_draft_text
from xltool.app.upload import MAX_REQUEST_BYTES, Dropped, UploadRefused, collect_dropped
from xltool.app.versions import decide
from xltool.campaign.register import STANDING_ZH
from xltool.campaign.settings import Campaign, load_campaign
from xltool.campaign.status import local_time
from xltool.console import actions, login, quality
from xltool.console.files import clean_temporaries, servable
from xltool.console.guard import allowed_hosts, host_name, misdirected_text, served_url
from xltool.console.jobs import KINDS, Jobs
from xltool.console.owners import annotated_path, owned_reply, owned_submission
from xltool.console.pages import Pages, Settings, install_static
from xltool.console.params import parse_id, printable
from xltool.console.safety import is_loopback, new_token, same_token
from xltool.console.throttle import Limits
from xltool.console.views import Views
from xltool.console.worker import Task
from xltool.errors import XltoolError

COLOURS = {"missing": "#c0392b", "unchecked": "#7f8c8d", "fix": "#e67e22", "warn": "#f1c40f", "pass": "#27ae60"}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
OPEN = ("static", "login", "logout")  # endpoints reachable before the password is given


def create_app(
    root: Path, *, host: str = "127.0.0.1", port: int = 0, password: str | None = None,
    max_request: int = MAX_REQUEST_BYTES, allow_hosts: Sequence[str] = (), limits: Limits | None = None,
) -> Flask:  # fmt: skip
    """The console of the campaign in ``root`` (checked now: a folder that is no campaign fails here)."""
    load_campaign(root)
    clean_temporaries(Path(root))  # a killed job's half-written files (this start is later than all of them)
    app = Flask(__name__)
    app.jinja_options = {**app.jinja_options, "finalize": printable}
    app.config.update(
        SECRET_KEY=new_token(),  # a new key each start: old pages must be reloaded, old cookies are void
        SESSION_COOKIE_NAME=f"xltool_{port}",  # two consoles on one PC do not share a cookie
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        MAX_CONTENT_LENGTH=max_request,
        MAX_FORM_MEMORY_SIZE=1024 * 1024,
        XLTOOL_ROOT=Path(root).resolve(),
        XLTOOL_PASSWORD=password,
        XLTOOL_LOOPBACK=is_loopback(host),
        XLTOOL_HOSTS=allowed_hosts(host, allow_hosts),
        XLTOOL_URL=served_url(host, port),
        TEMPLATES_AUTO_RELOAD=False,
    )
    jobs = Jobs()
    app.extensions["xltool_jobs"] = jobs
    app.extensions["xltool_settings"] = Settings(app.config["XLTOOL_ROOT"])
    install_static(app)  # before the guard: its Cache-Control comes after the guard's no-store
    _guard(app)
    login.install(app, limits or Limits())
    _pages(app)
    quality.install(app)  # the 数据质量 tab
    _actions(app, jobs)
    _mailings(app, jobs)
    return app


def _campaign(app: Flask) -> Campaign:
    return app.extensions["xltool_settings"].campaign()


# ------------------------------------------------------------------ safety
def _guard(app: Flask) -> None:
    @app.before_request
    def check() -> Any:
        if host_name(request.host) not in app.config["XLTOOL_HOSTS"]:
            abort(421, misdirected_text(request.host, [app.config["XLTOOL_URL"]]))
        session.setdefault("csrf", new_token())
        if app.config["XLTOOL_PASSWORD"] and request.endpoint not in OPEN and not login.signed_in(app):
            if request.method == "GET" and request.endpoint in ("board", "unit", "upload_page", "quality"):
                return redirect(url_for("login"))
            abort(401, "请先输入控制台密码。")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            _check_origin()
            given = request.headers.get("X-CSRF-Token") or request.form.get("csrf")
            if not same_token(given, session.get("csrf")):
                abort(403, "页面已过期或请求不是从控制台页面发出的（缺少安全令牌）。请刷新页面后重试。")
        return None

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Any:
        text = _error_text(err)
        if request.accept_mimetypes.best == "application/json" or request.method == "POST":
            return jsonify({"error": text}), err.code
        return render_template("error.html", message=text, code=err.code), err.code

    @app.errorhandler(XltoolError)
    def xltool_error(err: XltoolError) -> Any:
        if request.method == "POST":
            return jsonify({"error": str(err)}), 400
        return render_template("error.html", message=str(err), code=400), 400


def _check_origin() -> None:
    """The page's own origin (Origin, else Referer); a browser's cross-site request is refused."""
    own = f"{request.scheme}://{request.host}"
    origin = request.headers.get("Origin")
    if origin is None and request.referrer:
        parts = urlsplit(request.referrer)
        origin = f"{parts.scheme}://{parts.netloc}"
    if (origin is not None and origin != own) or request.headers.get("Sec-Fetch-Site") == "cross-site":
        abort(403, "拒绝来自其他网站的请求。")


def _error_text(err: HTTPException) -> str:
    if isinstance(err, RequestEntityTooLarge):
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        if request.content_length is not None and request.content_length <= limit:  # werkzeug's other limits
            return (f"一次提交的内容太多：最多 {current_app.config['MAX_FORM_PARTS']} 个文件和字段"
                    "（每个文字字段最多 1 MB）。请分几次拖入。")  # fmt: skip
        return f"上传的文件太大：一次最多 {limit // 2**20} MB。"
    if err.code == 404 and err.description == NotFound.description:  # not one of ours (owners' own text)
        return "没有这个页面或文件（文件只能从报送工作文件夹中取得）。"
    return err.description or "请求无法完成。"


# ------------------------------------------------------------------ pages
def _pages(app: Flask) -> None:
    views = Views(app.config["XLTOOL_ROOT"])
    app.extensions["xltool_views"] = views

    @app.context_processor
    def common() -> dict[str, Any]:
        return {"csrf": session.get("csrf", ""), "standing_zh": STANDING_ZH, "colours": COLOURS, "kinds": KINDS}

    pages = Pages()  # the pages' HTML, rendered again only when what they show has changed
    app.extensions["xltool_pages"] = pages

    @app.get("/")
    def board() -> Any:
        campaign = _campaign(app)
        board = views.board(campaign)  # from the register's change counter, not from the files
        mail = _mail_defaults(campaign)
        return pages.page("board", (board, tuple(mail.items())), lambda marks: render_template(
            "board.html", campaign=campaign, status=board.status, charts=board.charts, local_time=local_time,
            mail=mail, meanings=board.meanings, **marks), session["csrf"])  # fmt: skip

    @app.get("/unit/<path:name>")
    def unit(name: str) -> Any:
        campaign = _campaign(app)
        page = views.unit(campaign, name)
        reports = {fmt: actions.file_href(campaign, p) for fmt, p in page.reports().items()}
        mail = _mail_defaults(campaign)

        def render(marks: dict[str, str]) -> str:
            return render_template("unit.html", campaign=campaign, view=page.view, reports=reports,
                                   local_time=local_time, mail=mail, meanings=page.meanings, **marks,
                                   file_href=lambda rel: actions.file_href(campaign, campaign.root / rel))  # fmt: skip

        return pages.page(f"unit:{name}", (page, tuple(reports.items()), tuple(mail.items())), render, session["csrf"])

    @app.get("/upload")
    def upload_page() -> Any:
        return render_template("upload.html", campaign=_campaign(app))

    @app.get("/file/<path:rel>")
    def file(rel: str) -> Any:
        path = servable(app.config["XLTOOL_ROOT"], rel)
        if path is None:
            abort(404)
        view = request.args.get("view") == "1" and path.suffix.lower() in (".html", ".pdf")
        response = send_file(path, as_attachment=not view, download_name=path.name, max_age=0)
        if view:  # a report's page is shown, never run: no script, no form, no way back to the console
            response.headers["Content-Security-Policy"] = (
                "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
            )
        return response


def _mail_defaults(campaign: Campaign) -> dict[str, str]:
    m = campaign.mail
    keys = ("imap_host", "imap_port", "imap_user", "imap_tls", "imap_folder", "smtp_host", "smtp_port", "smtp_user",
            "smtp_tls")  # fmt: skip
    return {k: str(m.get(k, "")) for k in keys}


# ------------------------------------------------------------------ actions
def _actions(app: Flask, jobs: Jobs) -> None:
    @app.get("/jobs")
    def job_states() -> Any:
        return jsonify(jobs.all())

    @app.post("/jobs/<kind>")
    def start_job(kind: str) -> Any:
        if kind not in KINDS:
            abort(404)
        campaign = _campaign(app)
        form = {k: v for k, v in request.form.items() if k != "csrf"}
        work = _work(campaign, kind, form)
        if not jobs.start(kind, work):
            return jsonify({"error": f"“{KINDS[kind]}”正在进行中（可能是在另一个页面中开始的），请等它完成。",
                            "state": jobs.state(kind)}), 409  # fmt: skip
        return jsonify(jobs.state(kind)), 202

    @app.get("/jobs/<kind>")
    def job_state(kind: str) -> Any:
        if kind not in KINDS:
            abort(404)
        return jsonify(jobs.state(kind))

    @app.post("/upload")
    def upload() -> Any:
        files = request.files.getlist("files")
        if not files:
            return jsonify({"error": "没有收到文件。"}), 400
        dropped = [Dropped(f.filename or "未命名", f.read()) for f in files]
        try:
            result = collect_dropped(_campaign(app), dropped)
        except UploadRefused as refused:
            return jsonify({"error": str(refused)}), 413
        state = {"lines": [], "done": 0}
        actions.collect_lines(result, _Lines(state))
        summary = wording.drop_summary(result, len(dropped))
        units = sorted({i.unit for i in result.items if i.unit})
        return jsonify({"summary": summary, "lines": state["lines"], "units": units,
                        "items": [i.to_dict() for i in result.items]})  # fmt: skip

    @app.post("/unit/<path:name>/reply")
    def unit_reply(name: str) -> Any:

        campaign = _campaign(app)
        what = request.form.get("action", "")
        state: dict[str, Any] = {"lines": [], "done": 0}
        if what == "draft":
            summary = actions.draft_all(campaign, _Lines(state), unit=name)
        elif what in ("save", "send"):
            reply = owned_reply(campaign, name, parse_id(request.form.get("reply_id"), "回复编号"))
            if what == "save":
                save_draft_text(campaign, reply.id, request.form.get("text", ""))
                summary = "回复草稿已保存。"
            else:
                settings = mail_settings(campaign, "smtp", dict(request.form))
                summary = actions.send_pending(campaign, settings, _Lines(state), reply.id)
        else:
            abort(400)
        return jsonify({"summary": summary, "lines": state["lines"]})

    @app.post("/unit/<path:name>/versions")
    def unit_versions(name: str) -> Any:
        what = request.form.get("action", "")
        if what not in ("use", "void", "move"):
            abort(400)
        number = parse_id(request.form.get("version"), "版本号")  # a unit's own version number
        to = request.form.get("to") or None if what == "move" else None
        done = decide(_campaign(app), name, **{what: int(number)}, to=to, reason=request.form.get("reason", ""))
        return jsonify({"summary": f"已记入登记簿：{done.done.line() if done.done else ''}", "lines": [],
                        "unit": done.unit})  # fmt: skip

    @app.post("/unit/<path:name>/report")
    def unit_report(name: str) -> Any:
        state: dict[str, Any] = {"lines": [], "done": 0}
        allow_errors = bool(request.form.get("allow_errors"))
        summary = actions.render_all(_campaign(app), _Lines(state), only=name, allow_errors=allow_errors)
        return jsonify({"summary": summary, "lines": state["lines"]})

    @app.route("/unit/<path:name>/annotated/<submission>", methods=["GET", "POST"])
    def annotated(name: str, submission: str) -> Any:
        """POST (the page's button) makes the copy and downloads it; GET only serves one made already."""
        campaign = _campaign(app)
        sub, unit = owned_submission(campaign, name, parse_id(submission, "版本编号"))
        if request.method == "POST":
            path, shown = annotated_copy(campaign, sub.id)
        else:
            path, shown = annotated_path(campaign, sub, unit)
            if path.is_symlink() or not path.is_file():
                abort(404)
        return send_file(path, as_attachment=True, download_name=shown, max_age=0)


def _mailings(app: Flask, jobs: Jobs) -> None:
    """下发通知 and 催报: jobs like the others (polled at /jobs/<kind>), drafts only unless 发送 is ticked."""

    def start(kind: str) -> Any:
        campaign = _campaign(app)
        form = {k: v for k, v in request.form.items() if k not in ("csrf", "send")}
        settings = mail_settings(campaign, "smtp", form) if request.form.get("send") else None
        if not jobs.start(kind, Task(actions.mail_all, campaign.root, (kind, settings))):
            return jsonify({"error": f"“{KINDS[kind]}”正在进行中（可能是在另一个页面中开始的），请等它完成。",
                            "state": jobs.state(kind)}), 409  # fmt: skip
        return jsonify(jobs.state(kind)), 202

    app.post("/jobs/distribute", endpoint="distribute")(lambda: start("distribute"))
    app.post("/jobs/remind", endpoint="remind")(lambda: start("remind"))


def _work(campaign: Campaign, kind: str, form: dict[str, str]) -> Task:
    """The job's work, its settings checked now (a missing server is said at once, not by the job)."""
    root = campaign.root
    if kind in ("collect", "send"):
        s = mail_settings(campaign, "imap" if kind == "collect" else "smtp", form)
        return Task(actions.collect_imap if kind == "collect" else actions.send_pending, root, (s,))
    if kind == "reply":
        return Task(actions.draft_all, root)
    if kind == "aggregate":
        return Task(actions.aggregate_all, root)
    formats = ("docx", "html", "pdf") if form.get("pdf") else REPORT_FORMATS
    return Task(actions.render_all, root, kwargs={"formats": formats, "allow_errors": bool(form.get("allow_errors"))})


class _Lines:
    """A Progress for the quick actions answered in the request itself."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state

    def total(self, n: int | None) -> None:
        return None

    def step(self, text: str = "") -> None:
        self.state["done"] += 1

    def line(self, text: str, tone: str = "", href: str = "") -> None:
        self.state["lines"].append({"text": text, "tone": tone, "href": href})
