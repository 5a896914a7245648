"""Operations: the durability self-check, backups and restores (issue 8 items 1 and 9)."""
