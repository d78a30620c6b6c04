"""The read side: the queries behind the lists, the client page and the portfolio.

Each function takes the business (or a queryset already scoped to it) and returns
querysets or plain rows; none writes.
"""
