// boost_url.cpp — Boost.URL's compiled part (Debian ships Boost.URL as
// headers only): included once here, so the library links without
// libboost_url.
#include <boost/url/src.hpp>
