"""Fixture pages for fetcher tests: a long English policy, French text, a script-rendered shell, walls, a PDF."""

from __future__ import annotations

import html as html_lib

_CLAUSES = (
    "We collect the information you provide to us when you create an account, such as your name and email address.",
    "We use your information to provide, maintain and improve the services, and to develop new features.",
    "You may ask us to delete your personal data at any time by writing to our privacy team.",
    "We share information with service providers who process it on our behalf and under our instructions.",
    "We keep your data for as long as your account is active or as needed to provide you the services.",
    "If you are in the European Union, you have the right to object to the processing of your personal data.",
    "We may use the content you submit, including prompts, to train and improve our models unless you opt out.",
    "We will notify you of material changes to this policy by email or by a notice on the service.",
)
_FRENCH = (
    "Nous collectons les informations que vous nous fournissez lorsque vous créez un compte sur le service.",
    "Nous utilisons vos données pour fournir et améliorer nos services et pour vous contacter par courriel.",
    "Vous pouvez nous demander de supprimer vos données personnelles à tout moment en écrivant à notre équipe.",
    "Les informations sont conservées pendant la durée de votre compte et selon les obligations de la loi.",
)


def policy_text(title: str = "Privacy Policy", repeat: int = 3, marker: str = "") -> str:
    """Return a plausible English policy as paragraphs (about 2,500 characters at repeat=3)."""
    paras = [f"{i + 1}. {clause} {marker}".strip() for i, clause in enumerate(_CLAUSES * repeat)]
    return title + "\n\n" + "\n\n".join(paras)


def policy_html(
    title: str = "Privacy Policy", repeat: int = 3, marker: str = "", extra_body: str = ""
) -> str:
    """Return a policy page: header, nav, a <main> with headings and paragraphs, a footer."""
    paras = "".join(
        f"<p>{html_lib.escape(p)}</p>" for p in policy_text(title, repeat, marker).split("\n\n")[1:]
    )
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title></head><body>"
        f"<header>Example Corp</header><nav><a href='/'>Home</a></nav>{extra_body}"
        f"<main><h1>{title}</h1>{paras}</main><footer>© Example Corp</footer></body></html>"
    )


_SECTIONS = [
    ("who-we-are", "1. Who We Are"),
    ("data-we-collect", "2. Data We Collect"),
    ("your-rights", "3. Your Rights"),
    ("retention", "4. How Long We Retain Your Data"),
]


def contents_page(
    *,
    shown: tuple[str, ...] = ("who-we-are", "data-we-collect", "your-rights", "retention"),
    heading_ids: bool = True,
    toc_tag: str = "span",
) -> str:
    """A policy with a contents list of four sections, of which only `shown` are on the page (decision 0151)."""
    body = " ".join(policy_text("Privacy Policy", 1).split("\n\n")[1:3])
    toc = "".join(
        f"<li><a href='#{anchor}'><{toc_tag}>{title}</{toc_tag}></a></li>" for anchor, title in _SECTIONS
    )
    sections = "".join(
        f"<h2{f' id={anchor!r}' if heading_ids else ''}>{title}</h2><p>{body}</p>"
        for anchor, title in _SECTIONS
        if anchor in shown
    )
    return (
        "<!doctype html><html lang='en'><head><title>Privacy Policy</title></head><body><main>"
        f"<h1>Privacy Policy</h1><ol class='toc'>{toc}</ol>{sections}</main></body></html>"
    )


def french_html() -> str:
    """Return a French policy page (for a document declared English)."""
    paras = "".join(f"<p>{p}</p>" for p in _FRENCH * 4)
    return f"<html lang='fr'><head><title>Politique de confidentialité</title></head><body><main>{paras}</main></body></html>"


def script_rendered_html(text: str) -> str:
    """Return an app shell whose content only a browser running its script will see."""
    js_text = text.replace("\\", "\\\\").replace("`", "\\`")
    return (
        "<!doctype html><html><head><title>Policy</title></head><body><div id='root'></div>"
        "<noscript>You need to enable JavaScript to run this app.</noscript>"
        "<script>setTimeout(function(){var m=document.createElement('main');"
        f"m.innerText=`{js_text}`;document.getElementById('root').appendChild(m);}},50);</script>"
        "</body></html>"
    )


CLOUDFLARE_403 = (
    "<!DOCTYPE html><html><head><title>Just a moment...</title>"
    "<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1'></script></head>"
    "<body><div id='cf-browser-verification'>Checking if the site connection is secure</div>"
    "<p>example.com needs to review the security of your connection before proceeding.</p></body></html>"
)
ACCESS_DENIED_200 = (
    "<html><head><title>Access Denied</title></head><body><h1>Access Denied</h1>"
    'You don\'t have permission to access "http://www.example.com/privacy" on this server.<p>'
    "Reference #18.5f2c1402.1732255200.1a2b3c4d</p></body></html>"
)
SIGNUP_WIDGET = (
    "<aside class='signup'><h2>Sign in</h2><form><input type='email' name='email'>"
    "<input type='password' name='password'><button>Log in</button></form></aside>"
)


def steps_page(*, dialog: bool = True) -> str:
    """A policy whose text is revealed only by page steps (decision 0173): a cookie dialog covering the page, a
    "Show the full policy" button that loads the rest late, three accordion sections built when opened (and a
    hidden fourth), and a section loaded when scrolled into view. Each hidden text carries a marker to look for."""
    cover = (
        "<div id='dialog' style='position:fixed;inset:0;background:#fff;z-index:10'>"
        "<p>We use cookies.</p><button id='accept'>Accept all</button></div>"
        if dialog
        else ""
    )
    panels = "".join(
        f"<div class='section'><button class='toggle' data-n='{n}'>Section {n}</button><div class='panel'></div></div>"
        for n in (1, 2, 3)
    ) + (  # a fourth toggle, hidden (a collapsed sub-menu's): `click_all` passes it over without waiting
        "<div class='section' style='display:none'><button class='toggle' data-n='4'>Section 4</button>"
        "<div class='panel'></div></div>"
    )
    intro = html_lib.escape(policy_text(repeat=1).split("\n\n")[1])
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Privacy Policy</title></head><body>"
        f"{cover}<main><h1>Privacy Policy</h1><p>{intro}</p>"
        "<button id='load-full'>Show the full policy</button><div id='full'></div>"
        f"{panels}<a id='away' href='/elsewhere'>Our other policies</a>"
        "<div style='height:4000px'></div><div id='lazy'></div></main>"
        "<script>"
        "const accept = document.getElementById('accept');"
        "if (accept) accept.onclick = () => document.getElementById('dialog').remove();"
        "document.getElementById('load-full').onclick = () => setTimeout(() => {"
        f" document.getElementById('full').innerHTML = {_js_paragraphs('FULL-POLICY')}; }}, 200);"
        "document.querySelectorAll('button.toggle').forEach(b => b.onclick = () => {"
        " b.nextElementSibling.innerHTML = '<p>PANEL-' + b.dataset.n + ' We keep the records of this section for"
        " two years, then delete them from our systems and backups.</p>'; });"
        "let lazyDone = false;"
        "window.addEventListener('scroll', () => {"
        " if (lazyDone || innerHeight + scrollY < document.body.scrollHeight - 200) return;"
        " lazyDone = true; setTimeout(() => {"
        f" document.getElementById('lazy').innerHTML = {_js_paragraphs('LAZY-SECTION')}; }}, 150); }});"
        "</script></body></html>"
    )


def _js_paragraphs(marker: str) -> str:
    """A JavaScript string literal of the policy's paragraphs, each tagged with the marker."""
    paras = "".join(
        f"<p>{html_lib.escape(p)}</p>" for p in policy_text(repeat=1, marker=marker).split("\n\n")[1:]
    )
    return "'" + paras.replace("\\", "\\\\").replace("'", "\\'") + "'"


def chooser_page() -> str:
    """A policy whose regional section appears only once a region is chosen in a <select> (in place, no new
    address), and whose age-gated part only once a birth year is typed and confirmed; plus a password field."""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Terms</title></head><body><main>"
        "<h1>Terms of Service</h1><p>These terms apply to everyone who uses the service in any country.</p>"
        "<label>Region <select id='region'><option value=''>Choose</option><option value='us'>United States"
        "</option><option value='gb'>United Kingdom</option></select></label><div id='regional'></div>"
        "<label>Year of birth <input id='birth-year' type='number'></label><button id='enter'>Enter</button>"
        "<div id='gated'></div><input id='password' type='password'>"
        "</main><script>"
        "document.getElementById('region').onchange = e => {"
        " document.getElementById('regional').innerHTML = e.target.value === 'gb'"
        " ? '<p>REGION-GB You may complain to the Information Commissioner about how we use your data.</p>'"
        " : '<p>REGION-US You may opt out of the sale of your personal information.</p>'; };"
        "document.getElementById('enter').onclick = () => {"
        " const year = Number(document.getElementById('birth-year').value);"
        " if (year && year <= 2008) document.getElementById('gated').innerHTML ="
        " '<p>AGE-GATED Wagers placed through the service are final once the event has started.</p>'; };"
        "</script></body></html>"
    )
