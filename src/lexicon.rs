//! Word lists the features look words up in: an appeal lexicon by kind, stopwords and
//! second-person words in several languages, and class-name hints. Phrases are matched with
//! one precompiled Aho-Corasick automaton, never with regexes in the per-block path.

use aho_corasick::{AhoCorasick, MatchKind};
use rustc_hash::FxHashMap;
use std::sync::LazyLock;

/// Phrase categories of the text lexicon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    /// Donation appeals: giving money, once or monthly.
    Donation,
    /// What every appeal for readers' money says: "support us", "our journalism", "dear
    /// readers", "ad-free". Donations, memberships and subscriptions share it.
    Support,
    /// Paywalls: the article is locked or metered ("you've read 3 of 5 free articles").
    Paywall,
    /// Subscription offers: prices, trials and "subscribe" while the article stays open.
    Subscription,
    /// Membership drives.
    Membership,
    /// Newsletter sign-ups.
    Newsletter,
    /// Cookie and consent notices.
    Cookie,
    /// Ad-blocker notices.
    Adblock,
    /// Advertisement labels.
    Ad,
    /// Share and follow widgets.
    Social,
    /// Navigation words.
    Nav,
    /// Legal and site furniture.
    Legal,
    /// Read-more and teaser words.
    Related,
    /// Comment sections.
    Comments,
}

/// Number of [`Cue`] variants.
pub const CUES: usize = 14;

/// The cues of appeals and ads: what `appeal_density` counts.
pub const APPEAL_CUES: [Cue; 9] = [
    Cue::Donation,
    Cue::Support,
    Cue::Paywall,
    Cue::Subscription,
    Cue::Membership,
    Cue::Newsletter,
    Cue::Cookie,
    Cue::Adblock,
    Cue::Ad,
];

/// True when lowercased text holds a word or phrase of an appeal or ad ([`APPEAL_CUES`]).
pub fn has_appeal_words(lower: &str) -> bool {
    let counts = cue_counts(lower);
    APPEAL_CUES.iter().any(|&c| counts[c as usize] > 0)
}

/// Lowercase phrases per cue in English, German, French, Spanish, Italian, Portuguese,
/// Polish, Russian, Dutch, Czech, Hungarian, Swedish, Turkish, Romanian and Ukrainian,
/// matched anywhere in the text (so a stem such as "подписк" counts every form). Words
/// that are common in ordinary prose in some language are left out, or kept only as part
/// of a longer phrase ("godkänn alla", not "godkänn").
const PHRASES: &[(Cue, &[&str])] = &[
    (
        Cue::Donation,
        &[
            "donate",
            "donation",
            "contribute",
            "contribution",
            "make a gift",
            "give monthly",
            "one-time",
            "remind me later",
            "once",
            "monthly",
            "annual",
            "spenden",
            "spende",
            "faire un don",
            "donar",
            "donación",
            "donaciones",
            "dona ora",
            "donazione",
            "doar",
            "doação",
            "doe agora",
            "darowizn",
            "wpłać",
            "пожертв",
            "задонат",
            "doneer",
            "donatie",
            "gift",
            "give",
            "giving",
            "donor",
            "paypal",
            "ko-fi",
            "patreon",
            "iban",
            "blik",
            "chip in",
            "buy us a coffee",
            "buy me a coffee",
            "any amount",
            "every contribution",
            "tax-deductible",
            "donate now",
            "give today",
            "liberapay",
            "gofundme",
            "fundraiser",
            "fundraising",
            "spendenkonto",
            "jeder beitrag",
            "kaffee spendieren",
            "steuerlich absetzbar",
            "un don",
            "faites un don",
            "un café",
            "chaque contribution",
            "défiscalis",
            "haz una donación",
            "invítanos",
            "cualquier cantidad",
            "una donazione",
            "donazioni",
            "offrici",
            "offrirmi",
            "un caffè",
            "doações",
            "contribua",
            "um café",
            "wpłata",
            "postaw kawę",
            "zrzutk",
            "patronit",
            "донат",
            "на счёт",
            "на кофе",
            "doneren",
            "donateur",
            "trakteer",
            "daruj",
            "darujte",
            "darem",
            "přispějte",
            "přispět",
            "adomány",
            "támogatói",
            "egy kávé",
            "skänk",
            "gåva",
            "gåvor",
            "swish",
            "bidra",
            "bağış",
            "kahve ısmarla",
            "donează",
            "donați",
            "donație",
            "donații",
            "contribuie",
            "внесок",
            "благодійн",
            "bidra med",
        ],
    ),
    (
        Cue::Support,
        &[
            "support us",
            "support our",
            "your support",
            "support independent",
            "unterstützen sie",
            "unterstütze",
            "jetzt unterstützen",
            "soutenez",
            "soutenir",
            "votre soutien",
            "apóyanos",
            "apoya",
            "tu apoyo",
            "sostienici",
            "sostieni",
            "il tuo sostegno",
            "apoie",
            "seu apoio",
            "wesprzyj",
            "wspieraj",
            "twoje wsparcie",
            "поддержите",
            "поддержать",
            "ваша поддержка",
            "steun ons",
            "jouw steun",
            "dank je",
            "thank you for standing",
            "readers like you",
            "reader-funded",
            "independent journalism",
            "our journalism",
            "our reporting",
            "our newsroom",
            "our work",
            "keep us",
            "keep our",
            "newsroom",
            "journalisme",
            "notre rédaction",
            "journalismus",
            "unsere redaktion",
            "periodismo",
            "nuestra redacción",
            "giornalismo",
            "la nostra redazione",
            "jornalismo",
            "nossa redação",
            "dziennikarstw",
            "nasza redakcja",
            "журналистик",
            "наша редакция",
            "journalistiek",
            "onze redactie",
            "help us",
            "help keep",
            "support local",
            "funded by readers",
            "funded by our readers",
            "reader support",
            "no paywall",
            "free to read",
            "ad-free",
            "helfen sie uns",
            "von lesern finanziert",
            "nous soutenir",
            "apoyar",
            "lectores como tú",
            "lettori come te",
            "leitores como você",
            "помогите",
            "podpořte",
            "vaše podpora",
            "podpora čtenářů",
            "támogass",
            "stöd oss",
            "ditt stöd",
            "destek ol",
            "desteğiniz",
            "desteğin",
            "susțineți",
            "підтрима",
            "підтримк",
            "підтримайте",
            "stötta oss",
            "sprijinul tău",
            "sprijinul vostru",
            "dear reader",
            "liebe leser",
            "chers lecteurs",
            "cher lecteur",
            "chère lectrice",
            "querido lector",
            "queridos lectores",
            "querida lectora",
            "cari lettori",
            "caro lettore",
            "cara lettrice",
            "caro leitor",
            "caros leitores",
            "prezado leitor",
            "drodzy czytelnicy",
            "drogi czytelniku",
            "дорогие читатели",
            "уважаемые читатели",
            "дорогой читатель",
            "beste lezer",
            "milí čtenáři",
            "vážení čtenáři",
            "kedves olvasó",
            "kära läsare",
            "değerli okur",
            "sevgili okur",
            "dragi cititori",
            "stimați cititori",
            "шановні читачі",
            "дорогі читачі",
            "ohne werbung",
            "werbefrei",
            "sans publicité",
            "sans pub",
            "sin publicidad",
            "sin anuncios",
            "senza pubblicità",
            "sem publicidade",
            "sem anúncios",
            "bez reklam",
            "без рекламы",
            "zonder advertenties",
            "reclamevrij",
            "reklamsız",
            "fără reclame",
            "без реклами",
            "reklámmentes",
            "reklamfri",
        ],
    ),
    (
        Cue::Paywall,
        &[
            "continue reading",
            "keep reading",
            "read the full",
            "already a subscriber",
            "log in",
            "sign in",
            "unlock",
            "weiterlesen",
            "jetzt lesen",
            "anmelden",
            "réservé aux abonnés",
            "inicia sesión",
            "accedi",
            "entrar",
            "zaloguj",
            "войти",
            "inloggen",
            "lees verder",
            "free articles",
            "free article",
            "articles left",
            "article limit",
            "you've read",
            "you have read",
            "for subscribers",
            "subscribers only",
            "kostenlose artikel",
            "kostenlosen artikel",
            "articles gratuits",
            "réservé aux",
            "artículos gratis",
            "artículos gratuitos",
            "exclusivo para",
            "articoli gratuiti",
            "riservato agli abbonati",
            "artigos gratuitos",
            "bezpłatnych artykuł",
            "полная версия",
            "бесплатных стат",
            "gratis artikelen",
            "odemkn",
            "článků zdarma",
            "přihlaste",
            "ingyenes cikk",
            "bejelentkez",
            "logga in",
            "gratis artiklar",
            "ücretsiz makale",
            "giriş yap",
            "articole gratuite",
            "autentific",
            "увійти",
            "subscribers-only",
            "subscriber only",
            "rest of this article",
            "rest of the article",
            "to continue reading",
            "read the rest",
            "exclusive to subscribers",
            "already have an account",
            "nur für abonnenten",
            "artikel freischalten",
            "freischalten",
            "bereits abonnent",
            "la suite est réservée",
            "pour lire la suite",
            "article réservé",
            "il vous reste",
            "déjà abonné",
            "para seguir leyendo",
            "solo para suscriptores",
            "ya eres suscriptor",
            "per continuare a leggere",
            "solo per gli abbonati",
            "sei già abbonato",
            "contenuto riservato",
            "para continuar a ler",
            "exclusivo para assinantes",
            "tylko dla prenumeratorów",
            "dalsza część artykułu",
            "masz już prenumeratę",
            "только для подписчиков",
            "уже подписаны",
            "alleen voor abonnees",
            "al abonnee",
            "pouze pro předplatitele",
            "zbytek článku",
            "už máte předplatné",
            "csak előfizetőknek",
            "már előfizető",
            "endast för prenumeranter",
            "redan prenumerant",
            "sadece abonelere",
            "zaten abone",
            "doar pentru abonați",
            "ai deja abonament",
            "лише для передплатників",
            "доступно передплатникам",
        ],
    ),
    (
        Cue::Subscription,
        &[
            "subscribe",
            "subscription",
            "subscriber",
            "premium",
            "exclusive",
            "free trial",
            "per month",
            "a month",
            "/month",
            "per week",
            "cancel anytime",
            "abonnieren",
            "abonnement",
            "abonnent",
            "abo ",
            "pro monat",
            "abonné",
            "abonnez",
            "s'abonner",
            "par mois",
            "suscríbete",
            "suscripción",
            "suscriptor",
            "al mes",
            "abbonati",
            "abbonamento",
            "abbonato",
            "al mese",
            "assine",
            "assinatura",
            "assinante",
            "por mês",
            "subskrypc",
            "prenumerat",
            "miesięcznie",
            "zł/mies",
            "подписк",
            "подпишитесь",
            "оформить",
            "в месяц",
            "abonneer",
            "abonnement",
            "per maand",
            "subscribers",
            "subscribe now",
            "subscribe today",
            "unlimited access",
            "unlimited digital",
            "digital access",
            "full access",
            "digital subscription",
            "print subscription",
            "/year",
            "try it free",
            "billed",
            "abonnenten",
            "unbegrenzt",
            "digitalabo",
            "e-paper",
            "probeabo",
            "zugang zu allen",
            "abonnez-vous",
            "abonnement numérique",
            "accès illimité",
            "essai gratuit",
            "sans engagement",
            "suscriptores",
            "acceso ilimitado",
            "prueba gratis",
            "sin permanencia",
            "abbonarti",
            "abbonamento digitale",
            "accesso illimitato",
            "prova gratis",
            "assinantes",
            "assine já",
            "acesso ilimitado",
            "teste grátis",
            "subskrybent",
            "zł miesięcznie",
            "подписчик",
            "подписаться",
            "полный доступ",
            "оформите",
            "abonnee",
            "onbeperkt",
            "proefabonnement",
            "neem een abonnement",
            "word abonnee",
            "předplat",
            "neomezený přístup",
            "měsíčně",
            "előfizet",
            "korlátlan",
            "havonta",
            "ft/hó",
            "prenumer",
            "obegränsad",
            "kr/mån",
            "per månad",
            "kronor i månaden",
            "provperiod",
            "e-tidning",
            "abone",
            "aylık",
            "sınırsız erişim",
            "abonează",
            "abonament",
            "abonați",
            "abonaților",
            "acces nelimitat",
            "pe lună",
            "передплат",
            "передплатник",
            "на місяць",
            "повний доступ",
        ],
    ),
    (
        Cue::Membership,
        &[
            "member",
            "membership",
            "join us",
            "join today",
            "become a",
            "mitglied",
            "werden sie",
            "adhérent",
            "adhérez",
            "membre",
            "hazte socio",
            "socio",
            "miembro",
            "diventa socio",
            "sócio",
            "torne-se",
            "członk",
            "zostań",
            "участник",
            "вступить",
            "стань",
            "lid worden",
            "word lid",
            "register",
            "registrieren",
            "inscription",
            "regístrate",
            "registrati",
            "cadastre",
            "zarejestruj",
            "регистрац",
            "become a member",
            "members get",
            "our members",
            "member-supported",
            "supporting member",
            "join our",
            "mitgliedschaft",
            "mitglieder",
            "werde mitglied",
            "förderverein",
            "fördermitglied",
            "devenez membre",
            "adhésion",
            "adhérer",
            "membres",
            "socios",
            "hazte miembro",
            "membresía",
            "únete",
            "membri",
            "tesseramento",
            "unisciti",
            "sócios",
            "seja sócio",
            "membros",
            "associe-se",
            "członkostwo",
            "dołącz do",
            "членство",
            "вступайте",
            "присоединяйтесь",
            "leden",
            "lidmaatschap",
            "členství",
            "členové",
            "členem",
            "staňte se",
            "tagság",
            "tagjaink",
            "legyen tag",
            "légy tag",
            "csatlakozz",
            "medlem",
            "bli medlem",
            "gå med",
            "üye ol",
            "üyelik",
            "üyeler",
            "membru",
            "devino",
            "alătură-te",
            "членств",
            "учасник",
            "приєднуйтесь",
        ],
    ),
    (
        Cue::Newsletter,
        &[
            "newsletter",
            "sign up",
            "signup",
            "sign-up",
            "inbox",
            "email address",
            "e-mail address",
            "your email",
            "your e-mail",
            "e-mail-adresse",
            "ihre e-mail",
            "infolettre",
            "lettre d'information",
            "votre adresse",
            "votre e-mail",
            "boletín",
            "tu correo",
            "correo electrónico",
            "iscriviti",
            "la tua email",
            "inscreva",
            "seu e-mail",
            "seu email",
            "zapisz się",
            "twój e-mail",
            "adres e-mail",
            "рассылк",
            "ваш e-mail",
            "ваш email",
            "электронн",
            "nieuwsbrief",
            "je e-mail",
            "jouw e-mail",
            "no spam",
            "unsubscribe",
            "abmelden",
            "désinscri",
            "subscribe to our newsletter",
            "in your inbox",
            "to your inbox",
            "delivered to your",
            "every morning",
            "every week",
            "every weekday",
            "weekly email",
            "daily email",
            "enter your email",
            "email updates",
            "sign me up",
            "by email",
            "per e-mail",
            "postfach",
            "jeden morgen",
            "jeden werktag",
            "wöchentlich",
            "kostenlos abonnieren",
            "par e-mail",
            "par email",
            "chaque semaine",
            "chaque matin",
            "boîte mail",
            "boîte de réception",
            "inscrivez-vous",
            "por correo",
            "cada semana",
            "cada mañana",
            "bandeja de entrada",
            "apúntate",
            "suscríbete a nuestro",
            "via email",
            "per email",
            "ogni settimana",
            "ogni mattina",
            "casella di posta",
            "por e-mail",
            "por email",
            "toda semana",
            "toda manhã",
            "caixa de entrada",
            "na e-mail",
            "co tydzień",
            "co rano",
            "skrzynk",
            "на почту",
            "каждую неделю",
            "каждое утро",
            "на e-mail",
            "подборк",
            "in je inbox",
            "elke week",
            "elke ochtend",
            "meld je aan",
            "aanmelden",
            "do e-mailu",
            "každý týden",
            "každé ráno",
            "přihlásit",
            "odběr",
            "e-mailem",
            "hírlevél",
            "hírlevel",
            "feliratkoz",
            "iratkozz",
            "e-mail cím",
            "minden reggel",
            "hetente",
            "leiratkoz",
            "nyhetsbrev",
            "e-post",
            "varje vecka",
            "varje morgon",
            "anmäl dig",
            "bülten",
            "e-posta",
            "abone ol",
            "her sabah",
            "her hafta",
            "kaydol",
            "adresa de e-mail",
            "adresa de email",
            "în fiecare dimineață",
            "în fiecare săptămână",
            "înscrie-te",
            "abonează-te la",
            "розсилк",
            "на пошту",
            "щотижня",
            "щоранку",
            "підпишіться",
        ],
    ),
    (
        Cue::Cookie,
        &[
            "cookie",
            "consent",
            "accept all",
            "reject all",
            "gdpr",
            "manage preferences",
            "privacy settings",
            "datenschutz",
            "einwilligung",
            "akzeptieren",
            "alle akzeptieren",
            "accepter",
            "tout accepter",
            "refuser",
            "aceptar",
            "rechazar",
            "accetta",
            "rifiuta",
            "aceitar",
            "rejeitar",
            "akceptuj",
            "odrzuć",
            "prywatności",
            "принять",
            "отклонить",
            "файлы",
            "согласие",
            "accepteren",
            "weigeren",
            "toestemming",
            "necessary cookies",
            "personalised ads",
            "personalized ads",
            "süti",
            "samtycke",
            "çerez",
            "accept toate",
            "consimț",
            "elfogadom",
            "összes elfogadása",
            "godkänn alla",
            "acceptera alla",
            "avvisa alla",
            "kabul ediyorum",
            "tümünü kabul et",
            "tümünü reddet",
            "refuză toate",
            "прийняти все",
            "відхилити все",
            "přijmout vše",
            "odmítnout vše",
            "souhlasím",
        ],
    ),
    (
        Cue::Adblock,
        &[
            "ad blocker",
            "ad-blocker",
            "adblock",
            "ad block",
            "whitelist",
            "allowlist",
            "disable your",
            "turn off your",
            "werbeblocker",
            "adblocker",
            "bloqueur",
            "bloqueador",
            "blocco degli annunci",
            "blocker",
            "blokad",
            "blokowanie reklam",
            "блокировщик",
            "отключите",
            "advertenties blokkeert",
            "blokátor",
            "blokování reklam",
            "hirdetésblokkol",
            "reklámblokkol",
            "annonsblockerare",
            "reklam engelle",
            "blocare a reclamelor",
            "blocant de reclame",
            "блокувальник",
        ],
    ),
    (
        Cue::Ad,
        &[
            "advertisement",
            "advertising",
            "sponsored",
            "sponsor",
            "paid content",
            "partner content",
            "promoted",
            "continues below",
            "story continues",
            "anzeige",
            "werbung",
            "publicité",
            "publicidad",
            "anuncio",
            "pubblicità",
            "publicidade",
            "reklama",
            "реклама",
            "advertentie",
            "gesponsord",
            "ad choices",
            "adchoices",
            "sponsored by",
            "paid post",
            "shop now",
            "buy now",
            "order now",
            "promo code",
            "free shipping",
            "ads by",
            "rabatt",
            "jetzt kaufen",
            "jetzt bestellen",
            "gutschein",
            "versandkostenfrei",
            "sponsorisé",
            "livraison gratuite",
            "commandez",
            "patrocinado",
            "descuento",
            "compra ya",
            "envío gratis",
            "sin compromiso",
            "sponsorizzato",
            "sconto",
            "spedizione gratuita",
            "acquista ora",
            "desconto",
            "compre já",
            "frete grátis",
            "sponsorowane",
            "zniżk",
            "kup teraz",
            "скидк",
            "промокод",
            "спонсор",
            "бесплатная доставка",
            "korting",
            "koop nu",
            "gesponsorde",
            "sleva",
            "inzerce",
            "reklamní sdělení",
            "sponzor",
            "hirdetés",
            "kedvezmény",
            "szponzor",
            "annons",
            "sponsrad",
            "indirim",
            "sponsorlu",
            "taksit",
            "publicitate",
            "sponsorizat",
            "знижк",
        ],
    ),
    (
        Cue::Social,
        &[
            "share",
            "tweet",
            "facebook",
            "twitter",
            "linkedin",
            "whatsapp",
            "pinterest",
            "telegram",
            "follow us",
            "instagram",
            "youtube",
            "teilen",
            "partager",
            "compartir",
            "condividi",
            "compartilhar",
            "partilhar",
            "udostępnij",
            "поделиться",
            "delen",
            "copy link",
        ],
    ),
    (
        Cue::Nav,
        &[
            "home",
            "menu",
            "search",
            "skip to",
            "next",
            "previous",
            "back to top",
            "sitemap",
            "startseite",
            "suche",
            "accueil",
            "rechercher",
            "inicio",
            "buscar",
            "cerca",
            "início",
            "pesquisar",
            "szukaj",
            "strona główna",
            "главная",
            "поиск",
            "zoeken",
            "categories",
        ],
    ),
    (
        Cue::Legal,
        &[
            "copyright",
            "©",
            "all rights reserved",
            "privacy policy",
            "terms of",
            "terms and",
            "impressum",
            "imprint",
            "mentions légales",
            "aviso legal",
            "note legali",
            "termos",
            "polityka prywatności",
            "правообладател",
            "все права",
            "alle rechten",
            "contact us",
            "about us",
            "kontakt",
            "nous contacter",
        ],
    ),
    (
        Cue::Related,
        &[
            "read more",
            "read also",
            "related",
            "recommended",
            "most read",
            "most popular",
            "you may also",
            "you might also",
            "more from",
            "trending",
            "mehr zum thema",
            "auch interessant",
            "lire aussi",
            "à lire aussi",
            "lee también",
            "leer más",
            "leggi anche",
            "leia também",
            "czytaj także",
            "czytaj więcej",
            "читайте также",
            "читать далее",
            "lees ook",
            "meer lezen",
        ],
    ),
    (
        Cue::Comments,
        &[
            "comment",
            "comments",
            "reply",
            "leave a reply",
            "kommentar",
            "antworten",
            "commentaire",
            "répondre",
            "comentario",
            "responder",
            "commento",
            "rispondi",
            "comentário",
            "komentarz",
            "odpowiedz",
            "комментари",
            "ответить",
            "reactie",
        ],
    ),
];

struct Lexicon {
    automaton: AhoCorasick,
    cue_of: Vec<Cue>,
}

static LEXICON: LazyLock<Lexicon> = LazyLock::new(|| {
    let mut patterns = Vec::new();
    let mut cue_of = Vec::new();
    for (cue, words) in PHRASES {
        for w in *words {
            patterns.push(*w);
            cue_of.push(*cue);
        }
    }
    // The pattern list is static and valid, so building can only fail on a code change,
    // which the unit tests catch.
    #[allow(clippy::expect_used)]
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        // A DFA searches a page's text faster than the default NFA (about 5 % of feature
        // time) but costs about 3 ms to build, once per process: batches are what count.
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(&patterns)
        .expect("static lexicon compiles");
    Lexicon { automaton, cue_of }
});

/// Builds the lexicon's automaton (about 5 ms) now rather than at the first page: a process
/// that cleans one page can build it on another core while it reads the model and parses.
pub fn prepare() {
    LazyLock::force(&LEXICON);
    LazyLock::force(&WORD_ROLES);
}

/// Counts lexicon hits per [`Cue`] in already lowercased text.
pub fn cue_counts(lower: &str) -> [u32; CUES] {
    let whole = 0..lower.len();
    cue_counts_in_spans(lower, std::slice::from_ref(&whole))
        .pop()
        .unwrap_or([0; CUES])
}

/// [`cue_counts`] for each span of `lower`, in one search; spans are in order and no match
/// crosses from one span into the next (the caller separates them with a newline).
pub fn cue_counts_in_spans(lower: &str, spans: &[std::ops::Range<usize>]) -> Vec<[u32; CUES]> {
    let lex = &*LEXICON;
    let mut counts = vec![[0u32; CUES]; spans.len()];
    let mut k = 0;
    for m in lex.automaton.find_iter(lower) {
        while k < spans.len() && m.start() >= spans[k].end {
            k += 1;
        }
        if let Some(c) = counts.get_mut(k) {
            c[lex.cue_of[m.pattern().as_usize()] as usize] += 1;
        }
    }
    counts
}

const STOPWORDS: &[&str] = &[
    // English
    "the", "and", "of", "to", "a", "in", "is", "that", "it", "was", "for", "on", "are", "as",
    "with", "his", "they", "at", "be", "this", "from", "have", "or", "by", "had", "not", "but",
    "what", "were", "when", "there", "which", "their", "said", "been", "has", "would", "who",
    // German
    "der", "die", "das", "und", "ist", "nicht", "ein", "eine", "zu", "den", "mit", "sich", "des",
    "auf", "für", "im", "dem", "es", "von", "auch", "wird", "wurde", "sind", "als", "bei", "aus",
    // French
    "le", "la", "les", "et", "des", "un", "une", "du", "est", "que", "qui", "dans", "pour", "pas",
    "sur", "au", "avec", "par", "il", "elle", "ce", "sont", "été", "aux", "mais",
    // Spanish / Portuguese / Italian
    "el", "los", "las", "y", "en", "del", "por", "con", "para", "una", "es", "lo", "se", "su",
    "como", "más", "pero", "o", "do", "da", "em", "os", "não", "uma", "com", "dos", "das", "il",
    "di", "che", "è", "della", "per", "non", "sono", "gli", "nel", "alla", "anche",
    // Dutch
    "het", "een", "van", "dat", "zijn", "op", "niet", "met", "voor", "ook", "werd", "aan",
    // Polish
    "i", "w", "na", "nie", "się", "z", "jest", "do", "że", "to", "jak", "od", "po", "za", "jego",
    // Russian
    "и", "в", "не", "на", "что", "с", "как", "по", "это", "он", "она", "из", "за", "от", "так",
    "для", "его", "было", "но", "были",
    // Czech, Hungarian, Swedish, Turkish, Romanian, Ukrainian
    "je", "že", "jsou", "jako", "ale", "pro", "az", "és", "hogy", "nem", "egy", "meg", "csak",
    "már", "mint", "och", "att", "det", "som", "på", "är", "av", "för", "med", "till", "har",
    "inte", "ett", "ve", "bir", "bu", "için", "ile", "çok", "daha", "gibi", "și", "în", "cu", "pe",
    "că", "din", "este", "mai", "care", "pentru", "і", "й", "у", "та", "що", "від",
];

const SECOND_PERSON: &[&str] = &[
    "you", "your", "yours", "you're", "du", "dich", "dir", "dein", "deine", "euch", "ihr", "vous",
    "votre", "vos", "tu", "ton", "ta", "tes", "toi", "usted", "tú", "tus", "ti", "tuo", "tua",
    "voi", "vostro", "você", "vocês", "seu", "sua", "ty", "twój", "twoja", "ciebie", "wasz", "ты",
    "вы", "ваш", "ваша", "вас", "вам", "твой", "jij", "jouw", "uw", "jullie",
    // Czech, Hungarian, Swedish, Turkish, Romanian, Ukrainian
    "vy", "vás", "vám", "váš", "vaše", "tvůj", "tvoje", "te", "ön", "önök", "neked", "önnek", "dig",
    "ditt", "dina", "sen", "siz", "senin", "sizin", "sana", "tău", "voastră", "ви", "ти", "твій",
    "твоя",
];

const FIRST_PERSON_PLURAL: &[&str] = &[
    "we", "our", "us", "ours", "wir", "uns", "unser", "unsere", "unseren", "unserer", "nous",
    "notre", "nos", "nosotros", "nuestro", "nuestra", "nuestros", "nuestras", "noi", "nostro",
    "nostra", "nostri", "nostre", "nós", "nosso", "nossa", "nossos", "nossas", "nasz", "nasza",
    "nasze", "naszej", "naszych", "nam", "nas", "мы", "наш", "наша", "наше", "наши", "нас", "нам",
    "wij", "ons", "onze", // Czech, Hungarian, Swedish, Turkish, Romanian, Ukrainian
    "nás", "nám", "náš", "naše", "naši", "mienk", "nekünk", "minket", "vi", "oss", "vår", "vårt",
    "våra", "biz", "bizim", "bize", "bizi", "nostru", "noastră", "ми", "наші",
];

/// Role bit of [`word_roles`]: a common function word.
pub const STOPWORD: u8 = 1;
/// Role bit of [`word_roles`]: a second-person pronoun or possessive.
pub const SECOND_PERSON_WORD: u8 = 2;
/// Role bit of [`word_roles`]: a first-person plural pronoun or possessive.
pub const FIRST_PERSON_PLURAL_WORD: u8 = 4;

/// Role words keyed by their lowercased UTF-8 packed into a `u64`: every role word fits in
/// eight bytes, and a number hashes and compares faster than a string on the per-word path.
static WORD_ROLES: LazyLock<FxHashMap<u64, u8>> = LazyLock::new(|| {
    let mut m = FxHashMap::default();
    for (words, bit) in [
        (STOPWORDS, STOPWORD),
        (SECOND_PERSON, SECOND_PERSON_WORD),
        (FIRST_PERSON_PLURAL, FIRST_PERSON_PLURAL_WORD),
    ] {
        for key in words.iter().filter_map(|w| packed_lower(w)) {
            *m.entry(key).or_default() |= bit;
        }
    }
    m
});

/// The lowercased UTF-8 of `word` packed into a `u64`, or `None` when it is longer than eight
/// bytes (then it is no role word).
fn packed_lower(word: &str) -> Option<u64> {
    let mut buf = [0u8; 8];
    if word.is_ascii() {
        if word.len() > buf.len() {
            return None;
        }
        buf[..word.len()].copy_from_slice(word.as_bytes());
        buf.make_ascii_lowercase();
        return Some(u64::from_le_bytes(buf));
    }
    // Lowercasing never shortens a word in characters: more than 8 of them cannot fit.
    if word.chars().nth(buf.len()).is_some() {
        return None;
    }
    let mut n = 0;
    for lower in word.chars().flat_map(char::to_lowercase) {
        let len = lower.len_utf8();
        if n + len > buf.len() {
            return None;
        }
        lower.encode_utf8(&mut buf[n..]);
        n += len;
    }
    Some(u64::from_le_bytes(buf))
}

/// The roles of a word (any case) as role bits, in one lookup (the per-word hot path).
pub fn word_roles(word: &str) -> u8 {
    packed_lower(word)
        .and_then(|key| WORD_ROLES.get(&key).copied())
        .unwrap_or(0)
}

/// True for a first-person plural pronoun or possessive: appeals speak as "we" to "you".
pub fn is_first_person_plural(lower_word: &str) -> bool {
    word_roles(lower_word) & FIRST_PERSON_PLURAL_WORD != 0
}

/// True for a common function word of one of the supported languages.
pub fn is_stopword(lower_word: &str) -> bool {
    word_roles(lower_word) & STOPWORD != 0
}

/// True for a second-person pronoun or possessive.
pub fn is_second_person(lower_word: &str) -> bool {
    word_roles(lower_word) & SECOND_PERSON_WORD != 0
}

/// Class/id token categories that hint at a block's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassHint {
    /// Menus, breadcrumbs, pagination.
    Nav,
    /// Page header and footer.
    HeaderFooter,
    /// Sidebars and widgets.
    Sidebar,
    /// Comment sections.
    Comment,
    /// Share and follow.
    Social,
    /// Related and teaser lists.
    Related,
    /// Ad slots.
    Ad,
    /// Cookie and consent.
    Cookie,
    /// Newsletter and sign-up.
    Newsletter,
    /// Donations and support.
    Donate,
    /// Paywalls and subscriptions.
    Paywall,
    /// Article body containers.
    Content,
    /// Bylines, dates, tags.
    Meta,
    /// Modals, pop-ups, overlays.
    Modal,
}

/// Number of [`ClassHint`] variants.
pub const CLASS_HINTS: usize = 14;

const CLASS_WORDS: &[(ClassHint, &[&str])] = &[
    (
        ClassHint::Nav,
        &[
            "nav",
            "navbar",
            "navigation",
            "menu",
            "breadcrumb",
            "breadcrumbs",
            "pagination",
            "pager",
            "topbar",
            "skip",
        ],
    ),
    (
        ClassHint::HeaderFooter,
        &[
            "footer",
            "header",
            "masthead",
            "copyright",
            "bottom",
            "site-footer",
            "site-header",
            "banner",
            "contentinfo",
        ],
    ),
    (
        ClassHint::Sidebar,
        &[
            "sidebar",
            "aside",
            "widget",
            "widgets",
            "rail",
            "complementary",
            "secondary",
        ],
    ),
    (
        ClassHint::Comment,
        &[
            "comment",
            "comments",
            "discussion",
            "reply",
            "respond",
            "disqus",
        ],
    ),
    (
        ClassHint::Social,
        &[
            "share", "sharing", "social", "follow", "facebook", "twitter", "sharebar",
        ],
    ),
    (
        ClassHint::Related,
        &[
            "related",
            "recommended",
            "more",
            "teaser",
            "trending",
            "popular",
            "recirc",
            "read",
            "also",
            "next",
        ],
    ),
    (
        ClassHint::Ad,
        &[
            "ad",
            "ads",
            "advert",
            "advertisement",
            "adslot",
            "sponsor",
            "sponsored",
            "dfp",
            "gpt",
            "adsense",
            "promo",
            "commercial",
        ],
    ),
    (
        ClassHint::Cookie,
        &["cookie", "cookies", "consent", "gdpr", "cmp", "privacy"],
    ),
    (
        ClassHint::Newsletter,
        &[
            "newsletter",
            "subscribe",
            "signup",
            "optin",
            "subscription",
            "mailing",
        ],
    ),
    (
        ClassHint::Donate,
        &[
            "donate",
            "donation",
            "donations",
            "support",
            "contribute",
            "contribution",
            "fundraising",
            "membership",
        ],
    ),
    (
        ClassHint::Paywall,
        &[
            "paywall",
            "premium",
            "piano",
            "regwall",
            "subscriber",
            "meter",
            "locked",
            "plus",
        ],
    ),
    (
        ClassHint::Content,
        &[
            "content",
            "article",
            "entry",
            "post",
            "body",
            "story",
            "text",
            "main",
            "prose",
            "articlebody",
        ],
    ),
    (
        ClassHint::Meta,
        &[
            "author", "byline", "date", "time", "meta", "tags", "tag", "category", "dateline",
        ],
    ),
    (
        ClassHint::Modal,
        &[
            "modal", "popup", "overlay", "hidden", "dialog", "sticky", "toast", "lightbox",
        ],
    ),
];

static CLASS_HINT_OF: LazyLock<FxHashMap<&'static str, ClassHint>> = LazyLock::new(|| {
    let mut m = FxHashMap::default();
    for (hint, words) in CLASS_WORDS {
        for w in *words {
            m.entry(*w).or_insert(*hint);
        }
    }
    m
});

/// Every class/id word with a hint, and its hint (the first listed wins, as in
/// [`class_hint`]).
pub fn class_hint_words() -> impl Iterator<Item = (&'static str, ClassHint)> {
    CLASS_HINT_OF.iter().map(|(w, h)| (*w, *h))
}

/// The hint a class/id token gives, if any.
pub fn class_hint(token: &str) -> Option<ClassHint> {
    CLASS_HINT_OF.get(token).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_cues_in_many_languages() {
        let c = cue_counts("please donate today. abonnieren sie. accepter les cookies. реклама");
        assert_eq!(c[Cue::Donation as usize], 1);
        assert_eq!(c[Cue::Subscription as usize], 1);
        assert_eq!(c[Cue::Paywall as usize], 0);
        assert!(c[Cue::Cookie as usize] >= 1);
        assert_eq!(c[Cue::Ad as usize], 1);
        // A gate that stops the reader is a paywall; an offer to subscribe is not.
        let c = cue_counts("you have read 3 of 5 free articles. subscribe for $4 per month");
        assert_eq!(c[Cue::Paywall as usize], 2);
        assert_eq!(c[Cue::Subscription as usize], 2);
        // The six languages added later: one newsletter, one paywall, one donation each.
        for text in [
            "přihlaste se k odběru newsletteru",
            "iratkozz fel a hírlevélre",
            "anmäl dig till vårt nyhetsbrev",
            "bültenimize e-posta ile kaydol",
            "înscrie-te cu adresa de e-mail",
            "підпишіться на розсилку",
        ] {
            assert!(cue_counts(text)[Cue::Newsletter as usize] >= 1, "{text}");
        }
        for text in [
            "podpořte nás, darujte",
            "támogass minket, küldj adományt",
            "stöd oss med en gåva",
        ] {
            assert!(cue_counts(text)[Cue::Donation as usize] >= 1, "{text}");
        }
    }

    #[test]
    fn word_sets() {
        assert!(is_stopword("the") && is_stopword("и") && !is_stopword("donate"));
        assert!(is_second_person("your") && is_second_person("вы"));
        assert_eq!(class_hint("breadcrumb"), Some(ClassHint::Nav));
    }
}
