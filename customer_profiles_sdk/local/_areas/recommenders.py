"""Recommenders, their recipes, filters and schemas, and the recommendations they give.

Operations: CreateRecommender, CreateRecommenderFilter, CreateRecommenderSchema, DeleteRecommender,
DeleteRecommenderFilter, DeleteRecommenderSchema, GetProfileRecommendations, GetRecommender,
GetRecommenderFilter, GetRecommenderSchema, ListRecommenderFilters, ListRecommenderRecipes,
ListRecommenderSchemas, ListRecommenders, SearchRecommendations, StartRecommender, StopRecommender,
UpdateRecommender.
"""

from __future__ import annotations

from .._store import BackendBase


class RecommendersArea(BackendBase):
    """Recommenders, their recipes, filters and schemas, and the recommendations they give."""
