"""Prometheus metrics of one bot (its own registry, never the process-global one)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    """Counters and histograms served on /metrics."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.commands = Counter(
            "koopbot_commands_total",
            "Commands handled",
            ["command", "outcome"],
            registry=self.registry,
        )
        self.reply_latency = Histogram(
            "koopbot_reply_latency_seconds",
            "Time from receiving a command to its reply",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.reminders = Counter(
            "koopbot_reminders_total",
            "Timed messages by outcome (sent, late, skipped, failed)",
            ["outcome"],
            registry=self.registry,
        )
        self.sync_lag = Gauge(
            "koopbot_sync_lag_seconds",
            "Seconds since the last successful sync",
            registry=self.registry,
        )
        self.decryption_failures = Counter(
            "koopbot_decryption_failures_total",
            "Events the bot could not decrypt",
            registry=self.registry,
        )
        self.keys_withheld = Counter(
            "koopbot_room_keys_withheld_total",
            "Room key sessions a sender's device refused to share (m.room_key.withheld), by code",
            ["code"],
            registry=self.registry,
        )
        self.sync_handling = Histogram(
            "koopbot_sync_handling_seconds",
            "Time from a sync response to its events being stored (invites, keys, inbox)",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )
        self.events = Counter(
            "koopbot_events_total",
            "Inbound events by kind",
            ["kind"],
            registry=self.registry,
        )

        self.inbox_retries = Counter(
            "koopbot_inbox_retries_total",
            "Failed tries of an inbox event that were scheduled again",
            registry=self.registry,
        )
        self.inbox_parked = Counter(
            "koopbot_inbox_parked_total",
            "Inbox events given up on (dead letters) since the start",
            registry=self.registry,
        )
        self.inbox_parked_now = Gauge(
            "koopbot_inbox_parked_events",
            "Parked inbox events kept for inspection",
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
