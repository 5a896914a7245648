"""The channel adapters: one dict, imported lazily. Adding a channel is one folder and one line here."""

from __future__ import annotations

from importlib import import_module

from paht.channels.base import ChannelAdapter
from paht.config import Settings
from paht.enums import Channel

ADAPTERS: dict[Channel, str] = {
    Channel.facebook: "paht.channels.facebook.adapter:FacebookAdapter",
    Channel.zalo: "paht.channels.zalo.adapter:ZaloAdapter",
    Channel.email: "paht.channels.email.adapter:EmailAdapter",
}


def get_adapter(kind: Channel | str, settings: Settings) -> ChannelAdapter:
    """The adapter for `kind`; KeyError when the channel has none (app, web, hotline, open311)."""
    module, _, name = ADAPTERS[Channel(kind)].partition(":")
    return getattr(import_module(module), name)(settings)


def configured_adapter(kind: Channel | str, settings: Settings) -> ChannelAdapter | None:
    try:
        adapter = get_adapter(kind, settings)
    except (KeyError, ValueError):
        return None
    return adapter if adapter.configured else None
