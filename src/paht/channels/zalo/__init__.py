"""Zalo Official Account: the OA webhook in, the OA message API out."""
