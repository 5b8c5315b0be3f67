"""``!profil``: show and set the own profile, the guided dialog, and the opt-in.

The dialog: ``!profil`` in a direct chat with nothing set starts it; the bot asks one
field at a time and the member's plain answers in that chat fill the fields. It runs on
the dispatcher's generic ``dialog`` hook (plain direct-chat text is offered to dialog
hooks before it becomes a free question). "weiter" skips, "abbrechen"/"stop" ends it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from commands.context import Context, Services
from commands.errors import UsageError
from commands.matching import InstitutionKind, kind_label
from commands.registry import Arg, Scope, command, on_event
from commands.reply import Reply, ReplyBuilder, bold
from commands.textclean import single_line
from content.normalize import normalize
from storage.profiles import ProfileRow, Profiles

from .fields import (
    CANCEL_WORDS,
    DIALOG_STEPS,
    LIST_FIELDS,
    FieldName,
    dialog_answer,
    kind_names,
    parse_field,
    parse_yes_no,
    set_field,
)
from .index import profile_index

DIALOG_TIMEOUT = timedelta(hours=24)


async def save_profile(services: Services, row: ProfileRow) -> ProfileRow:
    """Store a profile and bring the match index up to date."""
    stored = await Profiles(services.db).save(row)
    await profile_index(services).upsert(stored)
    return stored


def field_value(ctx: Context, row: ProfileRow, field: FieldName) -> str:
    """One field as shown to its owner ("–" when empty)."""
    if field is FieldName.KIND:
        return row.institution or "–"
    if field is FieldName.ART:
        if not row.kind:
            return "–"
        try:
            return kind_label(InstitutionKind(row.kind), ctx.services.catalog, ctx.lang)
        except ValueError:
            return row.kind
    if field is FieldName.EXPERIENCE:
        return "–" if row.experience is None else ctx.t(f"profiles.experience_{row.experience}")
    if field in LIST_FIELDS:
        return ", ".join(getattr(row, LIST_FIELDS[field])) or "–"
    return str(getattr(row, "place" if field is FieldName.PLACE else "region")) or "–"


def render_profile(ctx: Context, row: ProfileRow) -> Reply:
    title = ctx.t("profiles.show_title")
    lines = [(ctx.t(f"profiles.field_{f.value}"), field_value(ctx, row, f)) for f in FieldName]
    yes, no = ctx.t("profiles.yes"), ctx.t("profiles.no")
    lines.append((ctx.t("profiles.field_visible"), yes if row.visible else no))
    lines.append((ctx.t("profiles.field_intros"), yes if row.intros else no))
    notes = [ctx.t("profiles.show_empty")] if row.is_empty() else []
    notes.append(ctx.t("profiles.show_hint"))
    reply = ReplyBuilder().heading(title)
    for note in notes[:-1]:
        reply.line(note)
    for key, value in lines:
        reply.bullet(bold(key), ": ", value)
    return reply.line(notes[-1]).build()


async def show_profile(ctx: Context, row: ProfileRow) -> None:
    """The own profile; from a shared room it goes to the direct chat (personal data)."""
    if ctx.is_direct:
        await ctx.reply(render_profile(ctx, row))
        return
    direct = await ctx.chat.direct_room(ctx.sender)
    await ctx.chat.send(direct, render_profile(ctx, row), key=f"profile.show:{ctx.event_id}")
    await ctx.reply(ctx.t("profiles.show_sent_direct"))


def question(ctx: Context, step: str) -> str:
    extra = {"kinds": kind_names()} if step == FieldName.ART.value else {}
    number = DIALOG_STEPS.index(step) + 1
    head = ctx.t("profiles.dialog_progress", number=number, total=len(DIALOG_STEPS))
    return f"{head} {ctx.t(f'profiles.ask_{step}', **extra)}\n{ctx.t('profiles.dialog_controls')}"


@command(
    "profil",
    aliases=("profile",),
    group="profil",
    scope=Scope.PERSONAL,
    summary="profiles.profile_summary",
    usage="[<feld> <wert>]",
    usage_en="[<field> <value>]",
    examples=(
        "!profil",
        "!profil einrichtung Musikschule Am Rhein",
        "!profil art Verein",
        "!profil interessen Singen, Inklusion, Ganztag",
        "!profile needs rooms, instruments",
    ),
    args=(Arg("field", optional=True), Arg("value", optional=True, rest=True)),
)
async def profile_command(ctx: Context, field: str | None, value: str | None) -> None:
    profiles = Profiles(ctx.db)
    row = await profiles.get_or_empty(ctx.sender)
    if field is None:
        if ctx.is_direct and row.is_empty():
            await start_dialog(ctx)
            return
        await show_profile(ctx, row)
        return
    if normalize(field) in CANCEL_WORDS and value is None:
        ended = await profiles.end_dialog(ctx.sender)
        await ctx.reply(ctx.t("profiles.dialog_cancelled" if ended else "profiles.no_dialog"))
        return
    name = parse_field(field)
    if name is None:
        fields = ", ".join(f.value for f in FieldName)
        raise UsageError("profiles.unknown_field", field=single_line(field)[:40], fields=fields)
    if value is None:
        raise UsageError("profiles.missing_value", field=name.value)
    stored = await save_profile(ctx.services, set_field(row, name, value))
    shown = field_value(ctx, stored, name)
    text = ctx.t("profiles.saved", field=ctx.t(f"profiles.field_{name.value}"), value=shown)
    if name is FieldName.KIND and stored.institution:
        if stored.kind:
            kind = field_value(ctx, stored, FieldName.ART)
            text += "\n" + ctx.t("profiles.kind_derived", kind=kind)
        else:
            text += "\n" + ctx.t("profiles.kind_ask", name=stored.institution, kinds=kind_names())
    if not stored.visible:
        text += "\n" + ctx.t("profiles.saved_hidden_hint")
    await ctx.reply(text)


@command(
    "profil sichtbar",
    aliases=("profile visible",),
    group="profil",
    scope=Scope.PERSONAL,
    summary="profiles.visible_summary",
    usage="ja|nein",
    usage_en="yes|no",
    examples=("!profil sichtbar ja", "!profile visible no"),
    args=(Arg("choice"),),
)
async def visible_command(ctx: Context, choice: str) -> None:
    visible = parse_yes_no(choice)
    if visible is None:
        raise UsageError("profiles.yes_or_no", value=choice[:40])
    row = await Profiles(ctx.db).get_or_empty(ctx.sender)
    await save_profile(ctx.services, replace(row, visible=visible))
    await ctx.reply(ctx.t("profiles.visible_on" if visible else "profiles.visible_off"))


# --- the guided dialog ---------------------------------------------------------------


async def start_dialog(ctx: Context) -> None:
    first = DIALOG_STEPS[0]
    await Profiles(ctx.db).set_dialog(ctx.sender, ctx.room_id, first)
    intro = ctx.t("profiles.dialog_intro")
    await ctx.reply(f"{intro}\n\n{question(ctx, first)}")


@on_event("dialog")
async def profile_dialog(services: Services, *, ctx: Context) -> bool:
    """A plain answer in the direct chat where the member's profile dialog runs."""
    profiles = Profiles(services.db)
    state = await profiles.dialog(ctx.sender)
    if state is None:
        return False
    room_id, step, started_at = state
    if room_id != ctx.room_id:
        return False
    if step not in DIALOG_STEPS or (
        datetime.now(UTC) - datetime.fromisoformat(started_at) > DIALOG_TIMEOUT
    ):
        await profiles.end_dialog(ctx.sender)  # stale: the text is a normal question again
        return False
    row = await profiles.get_or_empty(ctx.sender)
    outcome = dialog_answer(row, step, ctx.body)
    if outcome.cancelled:
        await profiles.end_dialog(ctx.sender)
        await ctx.reply(ctx.t("profiles.dialog_cancelled"))
        return True
    if outcome.error is not None:
        problem = ctx.t(outcome.error.key, **outcome.error.params)
        await ctx.reply(f"{problem}\n\n{question(ctx, step)}")
        return True
    stored = await save_profile(services, outcome.row) if outcome.row != row else row
    if outcome.next_step is None:
        await profiles.end_dialog(ctx.sender)
        await ctx.reply(ctx.t("profiles.dialog_done"))
        await ctx.reply(render_profile(ctx, stored))
        return True
    await profiles.set_dialog(ctx.sender, ctx.room_id, outcome.next_step)
    await ctx.reply(question(ctx, outcome.next_step))
    return True


@on_event("forget")
async def forget_profile(services: Services, *, user_id: str) -> None:
    """``!vergiss-mich`` deleted the rows; the in-memory index must forget too."""
    await profile_index(services).remove(user_id)
