"""slotapp: scheduling and customer enquiries for small companies."""
