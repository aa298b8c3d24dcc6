# -*- coding: utf-8 -*-
# Copyright: (c) 2026, gamestack.aws contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CloudFront edge names → POP location: ``cloudfront_pop`` and ``cloudfront_pop_code``.

Documentation: cloudfront_pop.yml and cloudfront_pop_code.yml next to this file.
"""

from __future__ import annotations

import re

from ansible.errors import AnsibleFilterError

# An edge server's PTR name: server-13-33-0-250.nrt12.r.cloudfront.net (a trailing dot is fine),
# or the POP ID alone as in the X-Amz-Cf-Pop response header: NRT12-C2, nrt12.
_PTR = re.compile(r"^(?:server-[0-9-]+\.)?(?P<edge>[a-z]{3}[0-9]{1,3}(?:-[a-z][0-9]{1,2})?)\.r\.cloudfront\.net\.?$")
_POP_ID = re.compile(r"^(?P<edge>[a-z]{3}[0-9]{1,3}(?:-[a-z][0-9]{1,2})?)$")

# CloudFront names its edge locations after the IATA code of the nearest airport.
# The common ones; an unknown code is still returned (place: null), so this table is a convenience.
POP_PLACES = {
    # Asia Pacific
    "NRT": "Tokyo, Japan",
    "HND": "Tokyo, Japan",
    "KIX": "Osaka, Japan",
    "ITM": "Osaka, Japan",
    "FUK": "Fukuoka, Japan",
    "ICN": "Seoul, South Korea",
    "GMP": "Seoul, South Korea",
    "PEK": "Beijing, China",
    "PVG": "Shanghai, China",
    "SZX": "Shenzhen, China",
    "ZHY": "Zhongwei, China",
    "HKG": "Hong Kong",
    "TPE": "Taipei, Taiwan",
    "SIN": "Singapore",
    "KUL": "Kuala Lumpur, Malaysia",
    "BKK": "Bangkok, Thailand",
    "CGK": "Jakarta, Indonesia",
    "MNL": "Manila, Philippines",
    "HAN": "Hanoi, Vietnam",
    "SGN": "Ho Chi Minh City, Vietnam",
    "BOM": "Mumbai, India",
    "DEL": "New Delhi, India",
    "MAA": "Chennai, India",
    "BLR": "Bengaluru, India",
    "HYD": "Hyderabad, India",
    "CCU": "Kolkata, India",
    "PNQ": "Pune, India",
    "SYD": "Sydney, Australia",
    "MEL": "Melbourne, Australia",
    "BNE": "Brisbane, Australia",
    "PER": "Perth, Australia",
    "AKL": "Auckland, New Zealand",
    # Europe
    "LHR": "London, United Kingdom",
    "MAN": "Manchester, United Kingdom",
    "DUB": "Dublin, Ireland",
    "CDG": "Paris, France",
    "MRS": "Marseille, France",
    "AMS": "Amsterdam, Netherlands",
    "BRU": "Brussels, Belgium",
    "FRA": "Frankfurt, Germany",
    "MUC": "Munich, Germany",
    "DUS": "Dusseldorf, Germany",
    "HAM": "Hamburg, Germany",
    "TXL": "Berlin, Germany",
    "BER": "Berlin, Germany",
    "ZRH": "Zurich, Switzerland",
    "VIE": "Vienna, Austria",
    "MXP": "Milan, Italy",
    "FCO": "Rome, Italy",
    "PMO": "Palermo, Italy",
    "MAD": "Madrid, Spain",
    "BCN": "Barcelona, Spain",
    "LIS": "Lisbon, Portugal",
    "ARN": "Stockholm, Sweden",
    "CPH": "Copenhagen, Denmark",
    "OSL": "Oslo, Norway",
    "HEL": "Helsinki, Finland",
    "WAW": "Warsaw, Poland",
    "PRG": "Prague, Czech Republic",
    "BUD": "Budapest, Hungary",
    "OTP": "Bucharest, Romania",
    "SOF": "Sofia, Bulgaria",
    "ATH": "Athens, Greece",
    "ZAG": "Zagreb, Croatia",
    "IST": "Istanbul, Turkey",
    "TLV": "Tel Aviv, Israel",
    # Middle East and Africa
    "DXB": "Dubai, United Arab Emirates",
    "FJR": "Fujairah, United Arab Emirates",
    "BAH": "Manama, Bahrain",
    "DOH": "Doha, Qatar",
    "JED": "Jeddah, Saudi Arabia",
    "MCT": "Muscat, Oman",
    "CAI": "Cairo, Egypt",
    "JNB": "Johannesburg, South Africa",
    "CPT": "Cape Town, South Africa",
    "NBO": "Nairobi, Kenya",
    "LOS": "Lagos, Nigeria",
    # North America
    "IAD": "Ashburn, Virginia, United States",
    "JFK": "New York, New York, United States",
    "EWR": "Newark, New Jersey, United States",
    "BOS": "Boston, Massachusetts, United States",
    "PHL": "Philadelphia, Pennsylvania, United States",
    "PIT": "Pittsburgh, Pennsylvania, United States",
    "ATL": "Atlanta, Georgia, United States",
    "CLT": "Charlotte, North Carolina, United States",
    "MIA": "Miami, Florida, United States",
    "TPA": "Tampa, Florida, United States",
    "JAX": "Jacksonville, Florida, United States",
    "ORD": "Chicago, Illinois, United States",
    "DTW": "Detroit, Michigan, United States",
    "CMH": "Columbus, Ohio, United States",
    "IND": "Indianapolis, Indiana, United States",
    "BNA": "Nashville, Tennessee, United States",
    "MCI": "Kansas City, Missouri, United States",
    "MSP": "Minneapolis, Minnesota, United States",
    "DFW": "Dallas-Fort Worth, Texas, United States",
    "IAH": "Houston, Texas, United States",
    "DEN": "Denver, Colorado, United States",
    "PHX": "Phoenix, Arizona, United States",
    "SLC": "Salt Lake City, Utah, United States",
    "LAX": "Los Angeles, California, United States",
    "SFO": "San Francisco, California, United States",
    "SJC": "San Jose, California, United States",
    "SEA": "Seattle, Washington, United States",
    "PDX": "Portland, Oregon, United States",
    "HIO": "Hillsboro, Oregon, United States",
    "YYZ": "Toronto, Canada",
    "YUL": "Montreal, Canada",
    "YVR": "Vancouver, Canada",
    "MEX": "Mexico City, Mexico",
    "QRO": "Queretaro, Mexico",
    # South America
    "GRU": "Sao Paulo, Brazil",
    "GIG": "Rio de Janeiro, Brazil",
    "FOR": "Fortaleza, Brazil",
    "EZE": "Buenos Aires, Argentina",
    "SCL": "Santiago, Chile",
    "BOG": "Bogota, Colombia",
    "LIM": "Lima, Peru",
}


def parse_edge(name):
    """The edge ID (``nrt12``, ``nrt20-c4``) of a CloudFront PTR name or POP ID, or None."""
    if not isinstance(name, str):
        return None
    candidate = name.strip().lower()
    match = _PTR.match(candidate) or _POP_ID.match(candidate)
    return match.group("edge") if match else None


def cloudfront_pop(name, strict=True):
    """``server-13-33-0-250.nrt12.r.cloudfront.net`` → ``{'code': 'NRT', 'place': 'Tokyo, Japan', 'edge': 'nrt12'}``."""
    edge = parse_edge(name)
    if edge is None:
        if strict:
            raise AnsibleFilterError(
                "cloudfront_pop: %r is not a CloudFront edge name (expected e.g."
                " server-13-33-0-250.nrt12.r.cloudfront.net or NRT12-C2)" % (name,)
            )
        return None
    code = edge[:3].upper()
    return {"code": code, "place": POP_PLACES.get(code), "edge": edge}


def cloudfront_pop_code(name, strict=True):
    """``server-13-33-0-250.nrt12.r.cloudfront.net`` → ``NRT``."""
    pop = cloudfront_pop(name, strict=strict)
    return pop["code"] if pop else None


class FilterModule:
    def filters(self):
        return {
            "cloudfront_pop": cloudfront_pop,
            "cloudfront_pop_code": cloudfront_pop_code,
        }
