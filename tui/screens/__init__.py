"""Screens: one per thing the user opens (board, case detail, Today, Outcomes, statement, forms, help)."""
