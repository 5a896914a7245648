"""Every adapter in the registry keeps the same contract, so a new channel cannot skip the basics."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from paht.channels.base import ChannelError, Recipient, Reply, SignatureError
from paht.channels.registry import ADAPTERS, configured_adapter, get_adapter
from paht.config import Settings
from paht.models import Base
from tests.channels.conftest import FIXTURES, at_zalo_time, facebook_signature, zalo_signature

KINDS = sorted(ADAPTERS)
RECIPIENTS = {"facebook": "6543210987654321", "zalo": "8736492837465918273", "email": "lan.nguyen@example.vn"}
SIGN = {"facebook": ("x-hub-signature-256", facebook_signature), "zalo": ("x-zevent-signature", zalo_signature)}


@pytest.mark.parametrize("kind", KINDS)
def test_an_adapter_without_credentials_is_switched_off(kind, tmp_path):
    assert configured_adapter(kind, Settings(database_url="sqlite://", data_dir=tmp_path)) is None


@pytest.mark.parametrize("kind", KINDS)
def test_an_adapter_delivers_to_its_provider_and_returns_its_message_id(kind, channel_settings, providers, smtp_sink):
    adapter = get_adapter(kind, channel_settings)
    assert adapter.configured
    receipt = adapter.send(Recipient(RECIPIENTS[kind]), Reply("Xin chào từ PAHT", subject="[PA-7K3M9QXZ] Thử"))
    assert receipt.provider_message_id


@pytest.mark.parametrize("kind", KINDS)
def test_an_unreachable_provider_is_a_transient_error(kind, channel_settings):
    dead = channel_settings.model_copy(
        update={"facebook_api_base": "http://127.0.0.1:9/v21.0", "zalo_api_base": "http://127.0.0.1:9", "smtp_port": 9}
    )
    with pytest.raises(ChannelError) as failed:
        get_adapter(kind, dead).send(Recipient(RECIPIENTS[kind]), Reply("Xin chào"))
    assert failed.value.permanent is False


@pytest.mark.parametrize("kind", KINDS)
def test_a_refusal_that_retrying_cannot_change_is_a_permanent_error(kind, channel_settings, providers, smtp_sink):
    providers.page_token = providers.zalo_token = "the-provider-has-another-token"
    smtp_sink.refuse = "550 5.7.1 Relaying denied"
    with pytest.raises(ChannelError) as failed:
        get_adapter(kind, channel_settings).send(Recipient(RECIPIENTS[kind]), Reply("Xin chào"))
    assert failed.value.permanent is True


@pytest.mark.parametrize("kind", [k for k in KINDS if k in SIGN])
def test_a_webhook_adapter_verifies_before_it_parses_and_ids_are_stable(kind, channel_settings):
    adapter = get_adapter(kind, channel_settings)
    header, sign = SIGN[kind]
    with pytest.raises(SignatureError) as missing:
        adapter.verify({}, b"{}")
    assert missing.value.missing is True
    for path in sorted((FIXTURES / kind).glob("*.json")):
        body = path.read_bytes().strip()
        if kind == "zalo":
            at_zalo_time(body)
        adapter.verify({header: sign(body)}, body)
        with pytest.raises(SignatureError):
            adapter.verify({header: sign(body + b" ")}, body)
        first, again = adapter.parse({}, body), adapter.parse({}, body)
        assert [m.external_id for m in first] == [m.external_id for m in again]
        assert all(m.external_id and m.sender_id for m in first)


def test_the_channel_tables_match_the_models(database_url):
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    ours = {"inbound_messages", "outbound_messages", "channel_conversations", "report_additions", "open311_keys"}
    ours.add("open311_tokens")
    assert [d for d in differences if any(table in repr(d) for table in ours)] == []
