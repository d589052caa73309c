"""Reproductions of what a hostile but fair tester did to coprod, each now refused or handled."""
