"""The pages in the navigation bar, in order: (path, label)."""

NAVIGATION = (
    ("/", "Home"),
    ("/caseload", "Caseload"),
    ("/sessions", "Sessions"),
    ("/participants", "Enrolled participants"),
    ("/billing", "Billing"),
    ("/engagement", "Engagement"),
    ("/data-quality", "Data quality"),
    ("/writeback", "Write-back"),
)
