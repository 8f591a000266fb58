"""The reference central service ("hub") the kiosks talk to: see docs/api-contract.md."""
