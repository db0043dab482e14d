"""The relay's routers, one per resource: tool invocations, chat, and the relay's own health."""
