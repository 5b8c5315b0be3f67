"""From inbound events to handlers: the inbox, commands, hooks and error handling.

Events are stored in the inbox with the sync token (one transaction), then handled in
order per room. A command's replies carry keys derived from its event id, so a replay
after a crash is deduplicated by the sent-log and the homeserver.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from bot.matrix import (
    Inbound,
    MatrixConnection,
    MatrixError,
    MemberChange,
    Message,
    PollResponse,
    Reaction,
    Redaction,
    Undecryptable,
    decode_inbound,
    encode_inbound,
)
from bot.metrics import Metrics
from commands.context import Context, Services
from commands.errors import CommandError, UsageError, UserError
from commands.registry import CommandSpec, ParsedCommand, Permission, Registry
from commands.reply import Reply, esc
from storage.core import ErrorEntry, ErrorLog, Inbox, UserSettings

log = logging.getLogger(__name__)

_COMMANDISH = re.compile(r"^\s*[!/]{1,2}[^\s!/]")
_FREE_QUESTION = "frage"
# A batch without events to act on moves the stored sync token at most this often: a
# restart then re-reads at most this much of nothing (the bot's own echoes, typing …)
# instead of every such batch costing a transaction.
TOKEN_ONLY_SAVE_SECONDS = 60.0


def new_ref() -> str:
    """A short reference id the user can quote to the coordinators."""
    return secrets.token_hex(4)


class FloodGuard:
    """Per-user and per-room command budgets (sliding window), with one polite note.

    A command counts against both budgets only when it is let through, so a throttled
    user does not use up the room's budget, and a busy room does not use up a user's.
    Idle keys are dropped, so memory stays bounded by the recent senders and rooms.
    """

    def __init__(
        self,
        user_limit: int,
        room_limit: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.user_limit = user_limit
        self.room_limit = room_limit
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._warned: dict[str, float] = {}
        self._swept = clock()

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            return deque()
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        if not hits:
            del self._hits[key]
        return hits

    def check(self, user_id: str, room_id: str) -> tuple[bool, bool]:
        """(allowed, warn): warn is true once per window for a throttled user."""
        now = self._clock()
        if now - self._swept >= self.window:
            self._swept = now
            for key in list(self._hits):
                self._recent(key, now)
        budgets = ((f"u:{user_id}", self.user_limit), (f"r:{room_id}", self.room_limit))
        allowed = all(limit <= 0 or len(self._recent(k, now)) < limit for k, limit in budgets)
        if allowed:
            for key, limit in budgets:
                if limit > 0:
                    self._hits.setdefault(key, deque()).append(now)
            return True, False
        for user, at in list(self._warned.items()):
            if now - at > self.window:
                del self._warned[user]
        warn = user_id not in self._warned
        if warn:
            self._warned[user_id] = now
        return False, warn


class Dispatcher:
    """Receives batches from the sync loop and runs commands, hooks and errors."""

    def __init__(
        self,
        services: Services,
        registry: Registry,
        matrix: MatrixConnection,
        metrics: Metrics,
        flood: FloodGuard,
    ) -> None:
        self.services = services
        self.registry = registry
        self.matrix = matrix
        self.metrics = metrics
        self.flood = flood
        self._inbox = Inbox(services.db)
        self._errors = ErrorLog(services.db)
        self._users = UserSettings(services.db)
        self._room_locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._token_saved_at = -TOKEN_ONLY_SAVE_SECONDS

    # --- intake ------------------------------------------------------------------

    @staticmethod
    def _worth_storing(event: Inbound) -> bool:
        if isinstance(event, Message):
            return bool(event.body.strip())
        return True

    async def accept(self, events: list[Inbound], next_batch: str) -> None:
        """BatchSink for the sync loop: persist, then handle in the background."""
        wanted = [e for e in events if self._worth_storing(e) and e.event_id]
        rows = [(e.event_id, e.room_id, e.kind, encode_inbound(e)) for e in wanted]
        now = time.monotonic()
        if not rows and now - self._token_saved_at < TOKEN_ONLY_SAVE_SECONDS:
            return
        fresh = set(await self._inbox.accept(rows, next_batch))
        self._token_saved_at = now
        for event in wanted:
            if event.event_id in fresh:
                self.metrics.events.labels(event.kind).inc()
                self._spawn(event)

    async def replay_open(self) -> int:
        """Handle what a crash left unfinished in the inbox."""
        items = await self._inbox.open_items()
        for _event_id, _room_id, kind, payload in items:
            self._spawn(decode_inbound(kind, payload))
        return len(items)

    def _spawn(self, event: Inbound) -> None:
        task = asyncio.create_task(self._process(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)

    async def _process(self, event: Inbound) -> None:
        lock = self._room_locks.setdefault(event.room_id, asyncio.Lock())
        async with lock:
            try:
                await self._handle(event)
            except MatrixError as exc:
                log.error("could not answer %s in %s: %s", event.event_id, event.room_id, exc)
                if exc.transient:
                    return  # left open in the inbox: retried at the next start
                # refused by the homeserver (e.g. no permission to post): retrying at
                # every start would not help, so the event is closed
            except Exception:
                ref = new_ref()
                log.exception("event %s failed [ref %s]", event.event_id, ref)
                await self._record_error(
                    ref, event.room_id, getattr(event, "sender", None), event.kind
                )
            await self._inbox.done(event.event_id)

    async def _handle(self, event: Inbound) -> None:
        if isinstance(event, Message):
            await self.handle_message(event)
        elif isinstance(event, Reaction):
            await self._run_hooks(
                "reaction",
                room_id=event.room_id,
                event_id=event.event_id,
                sender=event.sender,
                target=event.target,
                key=event.key,
            )
        elif isinstance(event, Redaction):
            await self._run_hooks(
                "redaction",
                room_id=event.room_id,
                event_id=event.event_id,
                sender=event.sender,
                redacts=event.redacts,
            )
        elif isinstance(event, MemberChange):
            if event.is_bot and event.membership in ("leave", "ban"):
                self.matrix.mark_left(event.room_id)
                await self._run_hooks(
                    "bot_removed",
                    room_id=event.room_id,
                    sender=event.sender,
                    membership=event.membership,
                )
            else:
                await self._run_hooks(
                    "member",
                    room_id=event.room_id,
                    user_id=event.user_id,
                    membership=event.membership,
                    previous=event.previous,
                    sender=event.sender,
                )
        elif isinstance(event, PollResponse):
            await self._run_hooks(
                "poll_response",
                room_id=event.room_id,
                event_id=event.event_id,
                sender=event.sender,
                poll_event_id=event.poll_event_id,
                answers=tuple(event.answers),
                timestamp_ms=event.timestamp_ms,
            )
        elif isinstance(event, Undecryptable):
            self.metrics.decryption_failures.inc()
            lang = await self._language(event.sender, english=False)
            await self.services.chat.send(
                event.room_id,
                Reply(self.services.catalog.get("core.undecryptable", lang)),
                key=f"undecryptable:{event.event_id}",
                reply_to=event.event_id,
            )

    async def _run_hooks(self, kind: str, **kwargs: object) -> None:
        for hook in self.registry.hooks.get(kind, []):
            await hook(self.services, **kwargs)

    # --- commands --------------------------------------------------------------------

    async def _language(self, user_id: str, *, english: bool) -> str:
        chosen = await self._users.language(user_id)
        if chosen:
            return chosen
        return "en" if english else self.services.network.language

    def _as_free_question(self, message: Message) -> ParsedCommand | None:
        if not (message.is_direct or message.mentions_bot):
            return None
        spec = self.registry.find(_FREE_QUESTION)
        if spec is None:
            return None
        # "koopbot: …" or "@koopbot:server …" in front of the question is the mention
        localpart = re.escape(self.services.chat.user_id.split(":", 1)[0].lstrip("@"))
        text = re.sub(rf"^\s*@?{localpart}\S*:?\s*", "", message.body, flags=re.IGNORECASE)
        text = re.sub(r"@[^\s:]+:[^\s]+", "", text).strip()
        return ParsedCommand(spec, spec.name, text, False) if text else None

    async def handle_message(self, message: Message) -> None:
        started = time.perf_counter()
        parsed = self.registry.parse(message.body)
        if parsed is None and not _COMMANDISH.match(message.body):
            if message.is_direct and await self._dialog(message):
                return
            parsed = self._as_free_question(message)
        if parsed is None:
            if message.is_direct and _COMMANDISH.match(message.body):
                lang = await self._language(message.sender, english=False)
                ctx = self._context(message, lang, "")
                await ctx.reply(ctx.t("core.unknown_command_direct"))
            return
        lang = await self._language(message.sender, english=parsed.english)
        ctx = self._context(message, lang, parsed.spec.name)
        allowed, warn = self.flood.check(message.sender, message.room_id)
        if not allowed:
            self.metrics.commands.labels(parsed.spec.name, "throttled").inc()
            if warn:
                await ctx.reply(ctx.t("core.cooldown"))
            return
        outcome = await self.run_command(ctx, parsed)
        elapsed = time.perf_counter() - started
        self.metrics.commands.labels(parsed.spec.name, outcome).inc()
        self.metrics.reply_latency.observe(elapsed)
        log.info(
            "command=%s outcome=%s room=%s event=%s ms=%.1f",
            parsed.spec.name.replace(" ", "_"),
            outcome,
            message.room_id,
            message.event_id,
            elapsed * 1000,
        )

    async def _dialog(self, message: Message) -> bool:
        """Plain direct-chat text goes first to ``dialog`` hooks (a running question
        dialog, e.g. the profile questions); a hook returns True when it took it."""
        hooks = self.registry.hooks.get("dialog", [])
        if not hooks:
            return False
        lang = await self._language(message.sender, english=False)
        ctx = self._context(message, lang, "dialog")
        for hook in hooks:
            if await hook(self.services, ctx=ctx):
                return True
        return False

    def _context(self, message: Message, lang: str, command: str) -> Context:
        return Context(
            services=self.services,
            sender=message.sender,
            room_id=message.room_id,
            event_id=message.event_id,
            thread_root=message.thread_root,
            is_direct=message.is_direct,
            lang=lang,
            body=message.body,
            command=command,
        )

    async def run_command(self, ctx: Context, parsed: ParsedCommand) -> str:
        """Check permission, bind arguments, run; returns the outcome label."""
        spec = parsed.spec
        try:
            await self._check_permission(ctx, spec)
            kwargs = self.registry.bind(spec, parsed.raw_args)
            await spec.handler(ctx, **kwargs)
            return "ok"
        except UsageError as exc:
            await ctx.reply(self._usage_reply(ctx, spec, exc))
            return "usage"
        except UserError as exc:
            await ctx.reply(ctx.t(exc.key, **exc.params))
            return "refused"
        except CommandError as exc:
            await ctx.reply(ctx.t(exc.key, **exc.params))
            return "refused"
        except MatrixError:
            raise
        except Exception as exc:
            ref = new_ref()
            log.exception(
                "command=%s outcome=error ref=%s room=%s event=%s",
                spec.name.replace(" ", "_"),
                ref,
                ctx.room_id,
                ctx.event_id,
            )
            await self._record_error(ref, ctx.room_id, ctx.sender, spec.name, repr(exc))
            await ctx.reply(ctx.t("core.internal_error", ref=ref))
            return "error"

    async def _check_permission(self, ctx: Context, spec: CommandSpec) -> None:
        if spec.permission is Permission.COORDINATOR and not ctx.is_coordinator:
            raise UserError("core.not_permitted_coordinator")
        if spec.permission is Permission.MODERATOR and not await ctx.is_moderator():
            raise UserError("core.not_permitted_moderator")

    @staticmethod
    def _usage_reply(ctx: Context, spec: CommandSpec, exc: UsageError) -> Reply:
        problem = ctx.t(exc.key, **exc.params)
        usage = spec.usage_line(ctx.lang)
        label = ctx.t("core.usage")
        examples: Iterable[str] = spec.examples[:2]
        example_label = ctx.t("core.examples")
        text = f"{problem}\n{label}: {usage}"
        html = f"{esc(problem)}<br>{esc(label)}: <code>{esc(usage)}</code>"
        if spec.examples:
            text += f"\n{example_label}: " + " · ".join(examples)
            html += f"<br>{esc(example_label)}: " + " · ".join(
                f"<code>{esc(e)}</code>" for e in spec.examples[:2]
            )
        return Reply(text, html)

    async def _record_error(
        self,
        ref: str,
        room_id: str | None,
        sender: str | None,
        command: str | None,
        error: str = "",
    ) -> None:
        try:
            await self._errors.add(
                ErrorEntry(
                    ref, datetime.now(UTC).isoformat(), room_id, sender, command, error or "error"
                )
            )
        except Exception:  # the error log must never take the bot down
            log.exception("could not record error %s", ref)
