"""US consumer debts under the FDCPA and Regulation F (12 CFR 1006): the validation notice, its
validation period, and the disputes that stop collection until verification is sent."""
