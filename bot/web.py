"""aiohttp: /healthz, /metrics and /calendar.ics."""

from __future__ import annotations

import hmac
import re
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.matrix import SyncHealth
from bot.metrics import Metrics

CalendarSource = Callable[[], Awaitable[bytes]]
PersonalCalendar = Callable[[str], Awaitable[bytes | None]]  # token -> feed or None
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


class WebServer:
    """Small HTTP surface for operators and calendar apps."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        health: SyncHealth,
        max_sync_age: float,
        metrics: Metrics,
        calendar: CalendarSource | None = None,
        calendar_token: str | None = None,
        personal_calendar: PersonalCalendar | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self._health = health
        self._max_age = max_sync_age
        self._metrics = metrics
        self._calendar = calendar
        self._token = calendar_token
        self._personal = personal_calendar
        self._runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics)
        app.router.add_get("/calendar.ics", self.calendar)
        app.router.add_get("/calendar/{name}", self.personal_calendar)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        if sockets:
            self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def healthz(self, request: web.Request) -> web.Response:
        if self._health.healthy(self._max_age):
            return web.json_response({"status": "ok"})
        return web.json_response({"status": "unhealthy"}, status=503)

    async def metrics(self, request: web.Request) -> web.Response:
        import time

        if self._health.last_ok is not None:
            self._metrics.sync_lag.set(time.monotonic() - self._health.last_ok)
        return web.Response(body=self._metrics.render(), content_type="text/plain", charset="utf-8")

    async def calendar(self, request: web.Request) -> web.Response:
        if self._token and not hmac.compare_digest(request.query.get("token", ""), self._token):
            return web.Response(status=403, text="forbidden")
        if self._calendar is None:
            return web.Response(status=404, text="no calendar")
        body = await self._calendar()
        return web.Response(body=body, content_type="text/calendar", charset="utf-8")

    async def personal_calendar(self, request: web.Request) -> web.Response:
        """``/calendar/<token>.ics``: one member's feed. Any wrong token: a plain 404,
        the same as for a path that does not exist."""
        name = request.match_info["name"]
        token = name.removesuffix(".ics")
        body = None
        if self._personal is not None and name.endswith(".ics") and _TOKEN.match(token):
            body = await self._personal(token)
        if body is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=body,
            content_type="text/calendar",
            charset="utf-8",
            headers={"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"},
        )
