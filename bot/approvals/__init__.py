"""The approvers' side of the loop: proposals accepted or returned, history kept."""
