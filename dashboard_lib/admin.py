"""The user-admin page's tables, without Streamlit: accounts with readable scope, the audit log."""

from __future__ import annotations

import pandas as pd

from .i18n import label


def users_table(store, lang: str = "zh") -> pd.DataFrame:
    users = store.users()
    provinces = store.provinces().set_index("adcode")
    unis = store.universities().set_index("university_id")
    pcol, ucol = ("name_en", "name_en") if lang == "en" else ("short_zh", "name_zh")

    def scope(row) -> str:
        if pd.notna(row["province_adcode"]):
            return provinces.loc[int(row["province_adcode"]), pcol]
        ids = row["university_ids"]
        ids = [] if ids is None or ids is pd.NA or isinstance(ids, float) else list(ids)
        return "、".join(unis.loc[int(i), ucol] for i in ids)

    out = pd.DataFrame(
        {
            "user": users["user_name"],
            "name": users["display_name"].fillna(""),
            "role": users["role"].map(lambda r: label(r, lang)),
            "scope": users.apply(scope, axis=1) if len(users) else [],
            "sso": users["oidc_subject"].fillna(""),
            "disabled": users["disabled"],
            "locked_until": users["locked_until"],
            "last_login": users["last_login"],
        }
    )
    return out
