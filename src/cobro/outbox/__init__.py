"""The outbox: every action the cycle decides, written in the same transaction as the decision,
then carried out exactly once by `cobro worker`."""
