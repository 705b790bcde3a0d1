"""The service desk's pages: panels on ticket pages, agents' actions, the customer portal."""
