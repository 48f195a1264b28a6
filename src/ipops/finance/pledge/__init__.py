"""Pledge financing: bank lending policies, appraisals, the loan state machine and monitoring.

`policy` (lending terms), `appraisals` (outside reports), `loans` and `loan_views` (the state machine and
its read models), `monitor` (status alerts), `ltv` (pure arithmetic), `valuation_sources` (where values
come from). The use cases are re-exported here.
"""

from ipops.finance.pledge.appraisals import list_appraisals, record_appraisal
from ipops.finance.pledge.loan_views import assess_loan, get_loan, list_loans, owned_assets
from ipops.finance.pledge.loans import (
    allocate_loss,
    approve_loan,
    create_loan,
    default_loan,
    disburse_loan,
    record_disposal,
    register_pledge,
    reject_loan,
    repay_loan,
    submit_loan,
    withdraw_loan,
)
from ipops.finance.pledge.monitor import list_alerts, may_run_monitor, scan_pledge_alerts
from ipops.finance.pledge.policy import banks, get_lending_policy, set_lending_policy

__all__ = [
    "allocate_loss",
    "approve_loan",
    "assess_loan",
    "banks",
    "create_loan",
    "default_loan",
    "disburse_loan",
    "get_lending_policy",
    "get_loan",
    "list_alerts",
    "list_appraisals",
    "list_loans",
    "may_run_monitor",
    "owned_assets",
    "record_appraisal",
    "record_disposal",
    "register_pledge",
    "reject_loan",
    "repay_loan",
    "scan_pledge_alerts",
    "set_lending_policy",
    "submit_loan",
    "withdraw_loan",
]
