"""What users can say: the registry and one module per command group."""

# The modules whose declarations make up the bot; order is the order of !hilfe groups.
COMMAND_MODULES: tuple[str, ...] = (
    "commands.knowledge",
    "commands.feedback",
    "commands.cooperation",
    "commands.help",
    "commands.status",
    "commands.settings",
    "commands.profiles",
    "commands.clusters",
    "commands.privacy",
    "commands.meetings",
    "commands.rooms",
)
