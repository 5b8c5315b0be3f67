"""Learning clusters: ``!cluster interesse``, ``!cluster`` and ``!cluster gründen``.

A learning cluster is 5–20 people from at least three municipalities (place = the
member's profile ``ort``). Topics are grouped fuzzily by the matching engine. When a
topic group first becomes ready, the coordinators are told once; founding creates the
cluster's room, invites up to 20 people and keeps the rest for a second cluster.
Listings show counts only, never who is interested.
"""

from __future__ import annotations

from commands.context import Context, Services
from commands.errors import UserError
from commands.matching import (
    MAX_MEMBERS,
    MIN_MEMBERS,
    MIN_PLACES,
    ClusterInterest,
    FormingCluster,
    forming_clusters,
    found_cluster,
)
from commands.registry import Arg, Permission, Scope, command
from commands.reply import Reply, ReplyBuilder
from commands.rooms import notify_coordinators
from commands.textclean import single_line
from content.normalize import normalize
from storage.clusters import ClusterInterests, Clusters, StoredInterest
from storage.core import UserSettings
from storage.profiles import Profiles

MAX_TOPIC = 80
MODERATOR_LEVEL = 50


def _as_engine(stored: list[StoredInterest]) -> list[ClusterInterest]:
    return [ClusterInterest(i.user_id, i.topic, i.place) for i in stored]


def _ids(stored: list[StoredInterest]) -> dict[tuple[str, str], StoredInterest]:
    return {(i.user_id, i.topic): i for i in stored}


def same_topic(topic: str, cluster: FormingCluster) -> bool:
    """Would ``topic`` join this cluster's group (the engine's fuzzy grouping)?"""
    probe = ClusterInterest("\x00probe", topic, "")
    groups = forming_clusters([*cluster.interests, probe])
    return any(probe.user_id in g.members and len(g.members) > 1 for g in groups)


async def newly_ready(services: Services) -> list[FormingCluster]:
    """Ready groups the coordinators have not been told about; told now, once each."""
    repo = ClusterInterests(services.db)
    stored = await repo.all()
    by_key = _ids(stored)
    told: list[FormingCluster] = []
    for cluster in forming_clusters(_as_engine(stored)):
        if not cluster.ready:
            continue
        rows = [by_key[(i.user_id, i.topic)] for i in cluster.interests]
        if any(row.announced for row in rows):
            continue
        text = services.catalog.get(
            "clusters.ready_note",
            services.network.language,
            topic=cluster.topic,
            people=len(cluster.members),
            places=len(cluster.places),
            place_names=", ".join(cluster.places),
        )
        key = f"clusters.ready:{min(row.id for row in rows)}"
        await notify_coordinators(services, Reply(text), key, fallback_direct=True)
        await repo.mark_announced(row.id for row in rows)
        told.append(cluster)
    return told


@command(
    "cluster interesse",
    aliases=("cluster interest",),
    group="netzwerk",
    scope=Scope.PERSONAL,
    summary="clusters.interest_summary",
    usage="<thema>",
    usage_en="<topic>",
    examples=("!cluster interesse Digitalisierung im Ganztag", "!cluster interest inclusion"),
    args=(Arg("topic", rest=True),),
)
async def interest_command(ctx: Context, topic: str) -> None:
    topic = single_line(topic)
    if not normalize(topic):
        raise UserError("clusters.empty_topic")
    if len(topic) > MAX_TOPIC:
        raise UserError("clusters.topic_too_long", limit=MAX_TOPIC)
    profile = await Profiles(ctx.db).get(ctx.sender)
    if profile is None or not profile.place:
        raise UserError("clusters.no_place")
    added = await ClusterInterests(ctx.db).add(ctx.sender, topic, profile.place)
    await newly_ready(ctx.services)
    stored = await ClusterInterests(ctx.db).all()
    mine = next(
        (
            c
            for c in forming_clusters(_as_engine(stored))
            if any(i.user_id == ctx.sender and i.topic == topic for i in c.interests)
            or (ctx.sender in c.members and same_topic(topic, c))
        ),
        None,
    )
    key = "clusters.interest_added" if added else "clusters.interest_known"
    lines = [ctx.t(key, topic=topic, place=profile.place)]
    if mine is not None:
        lines.append(_status_line(ctx, mine))
    await ctx.reply("\n".join(lines))


def _status_line(ctx: Context, cluster: FormingCluster) -> str:
    if cluster.ready:
        return ctx.t(
            "clusters.status_ready",
            topic=cluster.topic,
            people=len(cluster.members),
            places=len(cluster.places),
        )
    return ctx.t(
        "clusters.status_forming",
        topic=cluster.topic,
        people=len(cluster.members),
        places=len(cluster.places),
        more_people=max(0, MIN_MEMBERS - len(cluster.members)),
        more_places=max(0, MIN_PLACES - len(cluster.places)),
    )


@command(
    "cluster",
    group="netzwerk",
    scope=Scope.NETWORK,
    summary="clusters.list_summary",
    examples=("!cluster",),
)
async def list_command(ctx: Context) -> None:
    clusters = forming_clusters(_as_engine(await ClusterInterests(ctx.db).all()))
    founded = await Clusters(ctx.db).all()
    if not clusters and not founded:
        await ctx.reply(ctx.t("clusters.none"))
        return
    title = ctx.t("clusters.list_title")
    reply = ReplyBuilder().heading(title)
    for cluster in clusters:
        reply.bullet(
            ctx.t(
                "clusters.list_line",
                topic=cluster.topic,
                people=len(cluster.members),
                places=len(cluster.places),
                state=ctx.t("clusters.ready" if cluster.ready else "clusters.not_ready"),
            )
        )
    if founded:
        reply.line(ctx.t("clusters.founded_list", topics=", ".join(c.topic for c in founded)))
    hint = ctx.t("clusters.list_hint", people=MIN_MEMBERS, places=MIN_PLACES, max=MAX_MEMBERS)
    await ctx.reply(reply.line(hint).build())


def _find(topic: str, clusters: list[FormingCluster]) -> FormingCluster | None:
    wanted = normalize(topic)
    for cluster in clusters:
        if normalize(cluster.topic) == wanted:
            return cluster
    return next((c for c in clusters if same_topic(topic, c)), None)


@command(
    "cluster gründen",
    aliases=("cluster found",),
    group="netzwerk",
    scope=Scope.NETWORK,
    summary="clusters.found_summary",
    usage="<thema>",
    usage_en="<topic>",
    examples=("!cluster gründen Digitalisierung im Ganztag",),
    permission=Permission.COORDINATOR,
    args=(Arg("topic", rest=True),),
)
async def found_command(ctx: Context, topic: str) -> None:
    interests = ClusterInterests(ctx.db)
    clusters_repo = Clusters(ctx.db)
    stored = await interests.all()
    forming = forming_clusters(_as_engine(stored))
    existing = await clusters_repo.by_event(ctx.event_id)  # a replay after a crash
    overflow: tuple[str, ...] = ()
    if existing is None:
        cluster = _find(topic, forming)
        if cluster is None:
            names = ", ".join(c.topic for c in forming) or "–"
            raise UserError("clusters.unknown_topic", topic=topic[:MAX_TOPIC], topics=names)
        if not cluster.ready:
            raise UserError(
                "clusters.cannot_found",
                topic=cluster.topic,
                people=len(cluster.members),
                places=len(cluster.places),
                min_people=MIN_MEMBERS,
                min_places=MIN_PLACES,
            )
        founded, rest = found_cluster(cluster)
        chosen = set(founded.members)
        # all interests of the founded members in this topic group leave the pool
        taken = [i.id for i in stored if i.user_id in chosen and same_topic(i.topic, founded)]
        by_key = _ids(stored)
        cluster_id = await clusters_repo.found(
            founded.topic,
            [(i.user_id, i.place) for i in founded.interests],
            founded_by=ctx.sender,
            event_id=ctx.event_id,
            taken_interests=taken,
            overflow_interests=[by_key[(i.user_id, i.topic)].id for i in rest.interests],
        )
        overflow = rest.members
    else:
        cluster_id = existing.id
    record = await clusters_repo.get(cluster_id)
    assert record is not None
    room_id = record.room_id
    if room_id is None:
        room_id = await ctx.chat.create_room(
            ctx.t("clusters.room_name", topic=record.topic),
            topic=ctx.t("clusters.room_topic", topic=record.topic),
            invite=[
                u for u in dict.fromkeys([*record.members, ctx.sender]) if u != ctx.chat.user_id
            ],
            power_users={ctx.sender: MODERATOR_LEVEL},
        )
        await clusters_repo.set_room(cluster_id, room_id)
    await _welcome(ctx, room_id, record.topic, list(record.members), cluster_id)
    for user_id in overflow:
        await _tell_overflow(ctx.services, user_id, record.topic, cluster_id)
    link = f"https://matrix.to/#/{room_id}"
    text = ctx.t(
        "clusters.founded",
        topic=record.topic,
        people=len(record.members),
        link=link,
        rest=len(overflow),
    )
    await ctx.reply(Reply(text))


async def _welcome(
    ctx: Context, room_id: str, topic: str, members: list[str], cluster_id: int
) -> None:
    network_lang = ctx.services.network.language
    catalog = ctx.services.catalog
    text = catalog.get(
        "clusters.welcome",
        network_lang,
        topic=topic,
        members=", ".join(members),
        count=len(members),
    )
    reply = Reply(text, notify=True, mentions=members)
    await ctx.chat.send(room_id, reply, key=f"clusters.welcome:{cluster_id}")


async def _tell_overflow(services: Services, user_id: str, topic: str, cluster_id: int) -> None:
    lang = await UserSettings(services.db).language(user_id) or services.network.language
    text = services.catalog.get("clusters.overflow_note", lang, topic=topic, max=MAX_MEMBERS)
    direct = await services.chat.direct_room(user_id)
    await services.chat.send(direct, Reply(text), key=f"clusters.overflow:{cluster_id}:{user_id}")
