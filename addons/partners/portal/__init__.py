"""The partner portal: what partner users see and do, under /partner."""
