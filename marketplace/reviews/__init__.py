"""Product reviews (评价): a buyer rates what they received, staff approve, the vendor replies once."""
