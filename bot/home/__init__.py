"""The App Home: each person's own actions, and for admins and approvers what waits for them."""
