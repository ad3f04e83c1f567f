"""The 2016-2017 annual report's content, as demo data (see ``load_demo``).

Everything here is printed in ``shared/seed`` (the published report) except the
member organisations: the report names none besides its partners, so the
members are fictional (plus the real ones the report names as members), chosen
so that DESIGN.md's definitions give exactly the printed portrait for
2016-2017: average age 22, 15 % rural, 4 business groups, 60 % associative,
35 % membership growth.
"""

# The seed's cover. Its contact details are not printed in the seed: the demo's are made up
# (a 555 number, the exemple.org domain).
NETWORK_NAME = "Pôle des entreprises d'économie sociale de la région de la Capitale-Nationale"
TAGLINE = "Votre regroupement d'affaires des coopératives, des mutuelles et des entreprises associatives"
DEMO_ADDRESS = "Québec (Québec)"

TERRITORIES = [
    "Québec",
    "Portneuf",
    "Charlevoix",
    "Charlevoix-Est",
    "Côte-de-Beaupré",
    "La Jacques-Cartier",
    "L'Île-d'Orléans",
]

# (name, report block)
OBJECTIVES = [
    ("Consolidation du Pôle", "portrait"),
    ("Renforcer les compétences", ""),
    ("Augmenter les ventes des entreprises", ""),
    ("Notoriété du mouvement et des entreprises", ""),
    ("Concertation et collaboration", "network"),
]
SKILLS, SALES, NOTORIETY = OBJECTIVES[1][0], OBJECTIVES[2][0], OBJECTIVES[3][0]

# Member organisations, one per line:
#   name | legal form | category | founding year | territory | setting | sector | years
# legal form: C co-operative, M mutual, A association, S company
# category: R regular, G business group, AM ambassador, F supplier
# years: B both 2015-2016 and 2016-2017, N 2016-2017 only (new), O 2015-2016 only
MEMBERS = """
Caisse d'économie solidaire Desjardins | C | AM | 1971 | Québec | U | Finance solidaire | B
Coopérative funéraire des Deux Rives | C | AM | 1987 | Québec | U | Services funéraires | B
Regroupement des entreprises d'insertion de la Capitale | A | G | 1998 | Québec | U | Insertion socioprofessionnelle | B
Réseau des CPE de la Capitale-Nationale | A | G | 2003 | Québec | U | Petite enfance | B
Fédération des coopératives d'habitation de Québec | C | G | 1988 | Québec | U | Habitation | B
Table des ressourceries de Portneuf | A | G | 2011 | Portneuf | R | Environnement et récupération | N
Imprimerie coopérative L'Encre verte | C | F | 1996 | Québec | U | Imprimerie | B
Traiteur La Cuisine collective | A | F | 2001 | Québec | U | Alimentation | B
Coopérative de solidarité Nuage informatique | C | F | 2012 | Québec | U | Technologies de l'information | N
Mutuelle de prévention Horizon | M | R | 1994 | Québec | U | Assurance | B
Mutuelle d'entraide des artisans | M | R | 1979 | Québec | U | Assurance | O
Centre de la petite enfance Les Petits Pommiers | A | R | 1985 | Québec | U | Petite enfance | B
Ressourcerie La Récupe | A | R | 1999 | Québec | U | Environnement et récupération | B
Coopérative de travailleurs Vélo-Cité | C | R | 2008 | Québec | U | Transport | B
Atelier de menuiserie Le Copeau | A | R | 1992 | Québec | U | Insertion socioprofessionnelle | B
Maison des jeunes L'Ancrage | A | R | 1990 | La Jacques-Cartier | U | Jeunesse | B
Coopérative de santé de Saint-Raymond | C | R | 2009 | Portneuf | R | Santé | B
Festival des saveurs de Charlevoix | A | R | 2005 | Charlevoix | R | Tourisme | B
Coopérative forestière de Charlevoix-Est | C | R | 1978 | Charlevoix-Est | R | Foresterie | B
Théâtre populaire du Vieux-Québec | A | R | 1983 | Québec | U | Arts et culture | B
Radio coopérative Les Ondes | C | R | 1986 | Québec | U | Médias | B
Centre d'aide aux entreprises collectives | A | R | 1997 | Québec | U | Services-conseils | B
Coopérative d'habitation Le Faubourg | C | R | 1981 | Québec | U | Habitation | B
Entraide Parents Limoilou | A | R | 1993 | Québec | U | Famille | B
Carrefour jeunesse-emploi de la Capitale | A | R | 1996 | Québec | U | Emploi | B
Les Jardins communautaires de Sainte-Foy | A | R | 2004 | Québec | U | Agriculture urbaine | B
Coopérative agricole de l'Île | C | R | 1975 | L'Île-d'Orléans | R | Agroalimentaire | B
Musée de la mémoire ouvrière | A | R | 1988 | Québec | U | Arts et culture | B
Service d'entretien ménager Le Coup de main | A | R | 1997 | Québec | U | Aide domestique | B
Coopérative de services à domicile de Portneuf | C | R | 1998 | Portneuf | R | Aide domestique | B
Centre d'hébergement La Halte | A | R | 1987 | Québec | U | Hébergement communautaire | B
Cinéma communautaire Le Clap | A | R | 2006 | Québec | U | Arts et culture | B
Friperie solidaire Le Vestiaire | A | R | 2010 | Québec | U | Commerce de détail | B
Coopérative d'alimentation La Bonne Bouffe | C | R | 2002 | Québec | U | Alimentation | B
Espace famille Côte-de-Beaupré | A | R | 1995 | Côte-de-Beaupré | U | Famille | B
Atelier d'insertion Recycl'Art | A | R | 2000 | Québec | U | Insertion socioprofessionnelle | B
Société de transport adapté de la Capitale | S | R | 1984 | Québec | U | Transport | B
Coopérative de taxi de Québec | C | R | 1970 | Québec | U | Transport | B
Centre culturel de Wendake | A | R | 1999 | Québec | U | Arts et culture | B
Maison de la famille de Portneuf | A | R | 1991 | Portneuf | R | Famille | B
Écoquartier D'Estimauville | A | R | 2013 | Québec | U | Environnement et récupération | B
Cuisines collectives de la Basse-Ville | A | R | 1988 | Québec | U | Alimentation | B
Théâtre jeunesse Les Gros Becs | A | R | 1988 | Québec | U | Arts et culture | B
Coopérative de solidarité Le Quai | C | R | 2014 | Charlevoix | R | Tourisme | O
Centre de formation en entreprise et récupération | A | R | 1995 | Québec | U | Insertion socioprofessionnelle | B
Société d'habitation populaire de l'Est | S | R | 1980 | Québec | U | Habitation | B
Corporation de développement du Vieux-Limoilou | A | R | 2007 | Québec | U | Développement local | O
Coopérative de solidarité en santé de Charlevoix | C | R | 2012 | Charlevoix | R | Santé | N
Jardin collectif de Saint-Sauveur | A | R | 2008 | Québec | U | Agriculture urbaine | N
Coopérative de soutien à domicile de la Jacques-Cartier | C | R | 2001 | La Jacques-Cartier | U | Aide domestique | N
Le Pignon Bleu | A | R | 1989 | Québec | U | Sécurité alimentaire | B
Coopérative de travail Les Affranchis | C | R | 2005 | Québec | U | Communication et design | N
Fondation de l'entrepreneuriat collectif | A | R | 2010 | Québec | U | Services-conseils | N
Coopérative de l'Université Laval | C | R | 1985 | Québec | U | Commerce de détail | N
Centre des femmes de la Basse-Ville | A | R | 1982 | Québec | U | Services communautaires | N
Ferme coopérative Les Jardins du Fleuve | C | R | 2014 | Côte-de-Beaupré | R | Agroalimentaire | N
Mutuelle des travailleurs autonomes | M | R | 1986 | Québec | U | Assurance | N
Coopérative Vélo Vert | C | R | 2010 | Québec | U | Tourisme | N
Société coopérative de développement agricole | S | R | 1990 | Québec | U | Agroalimentaire | N
Boutique Trans-Actions | A | R | 2005 | Québec | U | Commerce équitable | N
Entraide-Jeunesse Québec | A | R | 1979 | Québec | U | Jeunesse | N
Ateliers du Carrefour | A | R | 1994 | Québec | U | Insertion socioprofessionnelle | N
Service d'accompagnement Le Pont | A | R | 2011 | Québec | U | Services communautaires | N
Regroupement des organismes culturels de Limoilou | A | R | | Québec | U | Arts et culture | N
Association des gîtes de l'Île | A | R | | L'Île-d'Orléans | U | Tourisme | N
"""

# The account `membre@exemple.org` represents this member in the portal.
DEMO_MEMBER = "Coopérative funéraire des Deux Rives"

# (name, website, linked member)
ORGANISATIONS = [
    (
        "Caisse d'économie solidaire Desjardins",
        "https://www.caissesolidaire.coop",
        "Caisse d'économie solidaire Desjardins",
    ),
    (
        "Coopérative funéraire des Deux Rives",
        "https://www.coopfuneraire2rives.com",
        "Coopérative funéraire des Deux Rives",
    ),
    ("Gouvernement du Québec", "https://www.quebec.ca", None),
    ("MRC de Charlevoix-Est", "https://www.mrccharlevoixest.ca", None),
    ("Développement Côte-de-Beaupré", "https://www.developpementcotedebeaupre.com", None),
    ("MRC de Portneuf", "https://www.portneuf.ca", None),
    ("Ville de Québec", "https://www.ville.quebec.qc.ca", None),
    ("MRC de Charlevoix", "https://www.mrccharlevoix.ca", None),
    ("Conjoncture affaires publiques", "", None),
    ("Réseau coop", "", None),
    ("Magnitude 10", "", None),
    ("Faculté d'administration de l'Université Laval", "https://www.fsa.ulaval.ca", None),
    ("Chambre de commerce", "", None),
    ("Chantier de l'économie sociale", "https://chantier.qc.ca", None),
    (
        "Espace québécois de concertation sur les pratiques d'approvisionnement responsable (ECPAR)",
        "https://www.ecpar.org",
        None,
    ),
    ("Maison de la coopération", "", None),
    ("CDEC de Québec", "", None),
    ("Conseil québécois de la coopération et de la mutualité", "", None),
    ("Commerce solidaire", "", None),
    ("Table des Pôles régionaux d'économie sociale", "", None),
    ("Ministère de l'Économie, de la Science et de l'Innovation", "", None),
]

# (organisation, category), printed in this order under « Merci à nos partenaires ».
PARTNERSHIPS_2016 = [
    ("Caisse d'économie solidaire Desjardins", "ambassador"),
    ("Coopérative funéraire des Deux Rives", "ambassador"),
    ("Gouvernement du Québec", "public"),
    ("MRC de Charlevoix-Est", "public"),
    ("Développement Côte-de-Beaupré", "public"),
    ("MRC de Portneuf", "public"),
    ("Ville de Québec", "public"),
    ("MRC de Charlevoix", "public"),
]

AFFILIATIONS_2016 = [
    "Chambre de commerce",
    "Chantier de l'économie sociale",
    "Espace québécois de concertation sur les pratiques d'approvisionnement responsable (ECPAR)",
    "Caisse d'économie solidaire Desjardins",
    "Maison de la coopération",
    "CDEC de Québec",
]
# The report prints « Caisse d'économie solidaire »; the organisation is the member.

# (committee, host organisation)
COMMITTEES_2016 = [
    ("CA du Chantier de l'économie sociale", "Chantier de l'économie sociale"),
    ("Comité de communication de la Maison de la coopération", "Maison de la coopération"),
    (
        "Comité d'économie sociale de l'ECPAR",
        "Espace québécois de concertation sur les pratiques d'approvisionnement responsable (ECPAR)",
    ),
    ("Comité de développement plate-forme de commerce en ligne de Commerce solidaire", "Commerce solidaire"),
    (
        "Comité de communication de la Table des Pôles régionaux d'économie sociale",
        "Table des Pôles régionaux d'économie sociale",
    ),
    (
        "Comité de commercialisation de la Table des Pôles régionaux d'économie sociale",
        "Table des Pôles régionaux d'économie sociale",
    ),
    ("Table des repreneurs collectifs du MESI", "Ministère de l'Économie, de la Science et de l'Innovation"),
    ("Comité d'arrimage des acteurs en économie sociale à Québec", None),
    ("Comité organisateur du Rassemblement d'économie sociale des Premières Nations", None),
    ("Table régionale du développement durable", None),
    ("Comité organisateur Intercoop", "Conseil québécois de la coopération et de la mutualité"),
]

R, CO = "realisation", "co_realisation"

# Activities of 2016-2017 as printed, by objective. Keys:
# date, end, title, objective, territory, place, role, participants (None: unknown),
# label (how participants are described), measures [(label, value)], partners, caption
ACTIVITIES = [
    dict(
        date="2016-04-13",
        title="Formation en comptabilité dans Portneuf",
        objective=SKILLS,
        territory="Portneuf",
        role=R,
        participants=5,
    ),
    dict(
        date="2016-10-28",
        title="Formation I pour la cohorte de développement d'affaires",
        objective=SKILLS,
        territory="Québec",
        role=R,
        participants=10,
        partners=["Conjoncture affaires publiques", "Réseau coop"],
    ),
    dict(
        date="2016-11-10",
        title="Atelier sur la gestion des ressources humaines",
        objective=SKILLS,
        territory="Québec",
        role=R,
        participants=35,
    ),
    dict(
        date="2016-12-02",
        title="Formation II pour la cohorte de développement d'affaires",
        objective=SKILLS,
        territory="Québec",
        role=R,
        participants=15,
        partners=["Conjoncture affaires publiques", "Réseau coop"],
    ),
    dict(
        date="2017-03-02",
        title="Atelier sur le commerce en ligne",
        objective=SKILLS,
        territory="Québec",
        role=R,
        participants=15,
    ),
    dict(
        date="2016-04-05",
        title="Rencontre-conférence pour les acheteurs institutionnels",
        objective=SALES,
        territory="Québec",
        place="Université Laval",
        role=CO,
        participants=35,
        measures=[("acheteurs institutionnels", 23)],
        partners=["Espace québécois de concertation sur les pratiques d'approvisionnement responsable (ECPAR)"],
    ),
    dict(
        date="2016-05-06",
        title="Déjeuner d'affaires dans Portneuf",
        objective=SALES,
        territory="Portneuf",
        role=R,
        participants=30,
    ),
    dict(
        date="2016-05-31",
        title="Activité de maillage avec les acheteurs institutionnels",
        objective=SALES,
        territory="Québec",
        role=R,
        participants=None,
        measures=[("rencontres d'affaires individuelles", 47)],
    ),
    dict(
        date="2016-11-16",
        title="Conférence sur le développement d'affaires des CPE",
        objective=SALES,
        territory="Québec",
        role=R,
        participants=None,
        measures=[("centres de petite enfance participants", 50)],
    ),
    dict(
        date="2016-11-10",
        title="Conférence-réseautage dans Charlevoix",
        objective=SALES,
        territory="Charlevoix",
        role=R,
        participants=40,
    ),
    dict(
        date="2016-11-10",
        title="Conférence-réseautage sur la gestion des RH",
        objective=SALES,
        territory="Québec",
        role=R,
        participants=35,
    ),
    dict(
        date="2017-02-15",
        title="Forum Intercoop",
        objective=SALES,
        territory="Québec",
        role=CO,
        participants=175,
        partners=["Conseil québécois de la coopération et de la mutualité"],
    ),
    dict(
        date="2017-03-23",
        title="Déjeuner d'affaires à Québec",
        objective=SALES,
        territory="Québec",
        role=R,
        participants=45,
    ),
    dict(
        date="2016-09-16",
        title="Soirée Ensemble pour un monde coop",
        objective=NOTORIETY,
        territory="Québec",
        role=R,
        participants=100,
    ),
    dict(
        date="2016-09-29",
        title="Soirée de réseautage DEMAIN",
        objective=NOTORIETY,
        territory="Québec",
        place="Université Laval",
        role=CO,
        participants=450,
        partners=["Faculté d'administration de l'Université Laval"],
    ),
    dict(
        date="2016-10-20",
        title="45e anniversaire de la Caisse d'économie solidaire",
        objective=NOTORIETY,
        territory="Québec",
        role=CO,
        participants=45,
        partners=["Caisse d'économie solidaire Desjardins"],
    ),
    dict(
        date="2016-10-25",
        title="Tournée du Chantier de l'économie sociale",
        objective=NOTORIETY,
        territory="Québec",
        role=CO,
        participants=70,
        partners=["Chantier de l'économie sociale"],
    ),
    dict(
        date="2016-10-25",
        title="Lancement des Semaines de l'économie sociale",
        objective=NOTORIETY,
        territory="Québec",
        role=R,
        participants=60,
    ),
    dict(
        date="2016-11-07",
        end="2016-11-17",
        title="Série d'entrevues à CKIA",
        objective=NOTORIETY,
        territory="Québec",
        place="CKIA 88,3 FM",
        role=R,
        participants=None,
        measures=[("entreprises participantes", 7)],
    ),
    dict(
        date="2016-11-08",
        title="Inauguration du Centre funéraire des Deux Rives",
        objective=NOTORIETY,
        territory="Québec",
        role=CO,
        participants=70,
        partners=["Coopérative funéraire des Deux Rives"],
    ),
    dict(
        date="2016-11-09",
        title="Conférence-réseautage sur l'emploi",
        objective=NOTORIETY,
        territory="Québec",
        role=R,
        participants=20,
    ),
    dict(
        date="2016-11-14",
        title="Dîner-conférence de la CDEC avec Alexandre Taillefer",
        objective=NOTORIETY,
        territory="Québec",
        role=CO,
        participants=150,
        partners=["CDEC de Québec"],
        caption="Le Dîner-conférence de la CDEC de Québec a réuni plus de 150 personnes à l'occasion des "
        "Semaines de l'économie sociale 2016.",
    ),
    dict(
        date="2016-11-15",
        title="Dîner-conférence du Monastère des Augustines",
        objective=NOTORIETY,
        territory="Québec",
        place="Monastère des Augustines",
        role=R,
        participants=40,
        label="étudiants participants",
    ),
    dict(
        date="2016-11-16",
        title="Projection du film Demain et réseautage dans Portneuf",
        objective=NOTORIETY,
        territory="Portneuf",
        role=R,
        participants=35,
    ),
    dict(
        date="2017-01-24",
        title="Tournée sur la reprise collective",
        objective=NOTORIETY,
        territory="Québec",
        role=R,
        participants=60,
    ),
]

PROJECTS = [
    dict(
        title="Cohorte de développement d'affaires",
        objective=SKILLS,
        first="2016-2017",
        partners=["Conjoncture affaires publiques", "Réseau coop"],
        body=(
            "Afin d'appuyer le développement d'affaires, le Pôle a offert des formations à une cohorte "
            "spécialisée dans le développement d'affaires pour lui permettre d'apprendre à bien structurer "
            "leur développement, d'améliorer leur positionnement stratégique sur le marché et de se mettre à "
            "jour sur tous les aspects du marketing sur le Web. Pour ce faire, le Pôle a été appuyé par "
            "Conjoncture affaires publiques et Réseau coop."
        ),
        new_label=False,
    ),
    dict(
        title="Transition écologique des entreprises",
        objective=SKILLS,
        first="2016-2017",
        last="2018-2019",
        partners=["Magnitude 10"],
        body=(
            "Lors de son Assemblée générale annuelle 2016, le Pôle s'est engagé à supporter ses membres qui "
            "souhaitent adopter des pratiques écoresponsables et a lancé une invitation aux entreprises "
            "d'économie sociale désirant prendre le virage du développement durable. Plus d'une vingtaine "
            "d'entreprises ont manifesté leur intention de s'investir dans une telle démarche. En fin d'année "
            "financière, Magnitude 10 a confirmé son intention d'appuyer les entreprises dans ce projet, qui "
            "se déroulera entre juin 2017 et avril 2018."
        ),
        new_label=True,
    ),
    dict(
        title="Cibler les acheteurs institutionnels",
        objective=SALES,
        first="2016-2017",
        partners=["Espace québécois de concertation sur les pratiques d'approvisionnement responsable (ECPAR)"],
        body=(
            "Un autre aspect important du volet de croissance des entreprises est celui du développement "
            "d'affaires avec les acheteurs institutionnels. Ce nouvel aspect que le Pôle explorait cette année "
            "concorde avec l'un des objectifs du Plan d'action gouvernemental en économie sociale sociale qui vise, "
            "entre autres, à favoriser l'accès du marché public, aux entreprises d'économie sociale : "
            "« L'économie sociale, j'achète! »\n\n"
            "Le Pôle a d'abord élaboré une base de données d'une soixantaine d'entreprises et organisations "
            "d'envergure qui pourraient être intéressées par les biens et services de nos entreprises. Pour "
            "ensuite les inviter à une conférence de l'ECPAR (Espace québécois de concertation pour "
            "l'approvisionnement responsable) organisée à l'Université Laval afin de sensibiliser les "
            "acheteurs institutionnels l'offre des entreprises d'économie sociale. Le tout a été suivi d'une "
            "autre activité, occasion de rencontres individuelles entre ces acheteurs et les entreprises.\n\n"
            "Force est de constater que le nombre d'entreprises d'économie sociale qui visent le marché des "
            "grands acheteurs institutionnels est tout de même limité. Le projet d'agence de courtage mettant "
            "en place un représentant commercial visant ce marché, nous mène aux mêmes conclusions. Par contre, "
            "nous ne renonçons pas à ce projet d'agence et différentes avenues sont toujours à l'étude."
        ),
        new_label=False,
    ),
    dict(
        title="Mise en place du programme Fournisseurs",
        subtitle="Membres Fournisseurs",
        objective=SALES,
        first="2016-2017",
        partners=[],
        body=(
            "Toujours dans le but d'augmenter le chiffre d'affaires des entreprises tout en générant de "
            "nouveaux revenus autonome pour le Pôle, ce dernier a lancé le programme Fournisseurs, qui donne "
            "à des entreprises de la visibilité au sein du réseau d'affaires qu'est le Pôle."
        ),
        new_label=False,
    ),
]

CAMPAIGN = dict(
    name="Semaines de l'économie sociale",
    objective=NOTORIETY,
    fiscal_year="2016-2017",
    start="2016-11-07",
    end="2016-11-17",
    official_partner="Caisse d'économie solidaire Desjardins",
    body=(
        "Du côté de la communication au grand public, les Semaines de l'économie sociale, du 7 au "
        "17 novembre 2016, ont été le moment fort de l'année. Nous avons remporté notre pari, qui était "
        "d'élargir notre public : le maire Régis Labeaume, en assurant la présidence d'honneur de "
        "l'événement, nous a apporté une couverture médiatique significative :"
    ),
    metrics=[
        ("personnes ont été rejointes par les médias sociaux", 15000),
        ("publications Facebook", 17),
        ("personnes via notre site Web", 850),
        ("via notre infolettre", 280),
        ("parutions médiatiques", 10),
    ],
    closing=(
        "Les Semaines ont donc été un bon moment pour parler du modèle de l'économie sociale au grand public "
        "par nos activités, mais également une couverture médiatique qui a répondu à nos attentes.\n\n"
        "Un autre événement de taille nous a permis de rejoindre un nouveau public. Le 29 septembre 2016, "
        "nous avons organisé, en collaboration avec la Faculté d'administration de l'Université Laval, la "
        "projection du film DEMAIN dans une formule permettant le réseautage entre les spectateurs et nos "
        "entreprises d'économie sociale. Par la suite, une vingtaine de kiosques attendaient les gens pour "
        "leur présenter les différentes entreprises et innovations présentes à Québec. Au total, "
        "450 personnes se sont déplacées pour participer à cette activité, qui a eu un fort succès."
    ),
)

# (name, role code, organisation) in the printed order; mandates cover 2016-2017.
BOARD = [
    ("Charles Demers", "co_president_m"),
    ("Garry Lavoie", "co_president_m"),
    ("Sylviane Pilote", "vice_president_f"),
    ("Claire Dubé", "treasurer_f"),
    ("Constantino Duclos", "director_m"),
    ("Maxime Naud-Denis", "director_m"),
    ("Aina Rakotoarinivo", "director_m"),
    ("Luc Audebrand", "director_m"),
    ("Catherine Benoit", "director_f"),
    ("Dianne Maltais", "director_f"),
    ("Catherine Gagnon", "director_f"),
    ("Jean Gosselin", "director_m"),
    ("Guy Duschesneau", "director_m"),
    ("Pierre-Luc Bonneville", "director_m"),
]

STAFF = [
    ("Félix Bussières", "directeur général"),
    ("Yannick Fortier", "agent de développement et de communications"),
]

PRESIDENTS_MESSAGE = dict(
    kind="presidents",
    title="L'économie sociale sous toutes ses formes",
    signatories=[("Charles Demers", "coprésident"), ("Garry Lavoie", "coprésident")],
    body="""Lors de notre assemblée générale annuelle de juin 2016, après seulement un an d'existence, le conseil d'administration a proposé un pari audacieux à ses membres : et si l'organisme optait pour un modèle de coprésidence afin de mieux refléter la réalité de notre mouvement? Cette idée a été accueillie favorablement par l'Assemblée et, un an plus tard, nous pouvons déjà affirmer que cette décision a porté ses fruits.

En effet, l'année 2016-2017 a été marquée par un rapprochement entre le milieu associatif et le milieu coopératif. Nous avons fièrement collaboré à la tenue du premier Forum Intercoop et organisé une toute première activité dans le cadre de la Semaine de la coopération, en plus de consolider nos projets et relations avec le milieu associatif. Nous profitons de l'occasion pour remercier nos membres de nous avoir encouragés à créer un modèle de gouvernance unique qui renforce les bases du Pôle des entreprises d'économie sociale. Avec 35 % d'augmentation de notre membership, nous pouvons maintenant affirmer que l'organisme est plus représentatif que jamais dans la région.

Vous découvrirez dans ces pages tous les grands chantiers que nous avons menés cette année, classés en fonction de nos priorités stratégiques. Certains de ces projets ont contribué à mieux nous faire connaître, par exemple la présidence d'honneur assumée fièrement par le maire de Québec, Régis Labeaume. D'autres nous ont permis de bonifier notre offre de services, comme les partenariats durables établis avec divers paliers gouvernementaux, des fournisseurs officiels et de grands ambassadeurs. Dans tous les cas, les projets du Pôle sont taillés sur mesure pour répondre aux besoins et aux attentes des entreprises du territoire.

Notre regard est maintenant tourné vers l'année 2018, qui viendra avec plusieurs grands projets en tête que nous avons hâte de vous dévoiler, notamment un échange prometteur avec des représentants la Nouvelle-Aquitaine, en France.

Chose certaine, le Pôle des entreprises d'économie sociale vous réserve encore des surprises!""",
)

DIRECTOR_MESSAGE = dict(
    kind="director",
    title="Souder les partenariats",
    signatories=[("Félix Bussières", "directeur général")],
    body="""L'année se termine bien : nous avons atteint notre cible stratégique principale, soit la consolidation financière du Pôle. En ce sens, nous avons conclu une première entente sectorielle et d'autres ententes parallèles avec six partenaires publics de la région. De plus, le ministère de l'Économie, de la Science et de l'Innovation a confirmé en mars qu'il augmentait son financement jusqu'en 2020. Nous sommes fiers que notre nouvelle instance, incorporée depuis 2015, soit maintenant bien reconnue et appuyée par nos partenaires municipaux et provinciaux.

Fort de la réalisation et de la co-réalisation de 26 activités en 2016-2017, le Pôle a su démontrer qu'il est un acteur incontournable du développement de l'économie sociale dans l'ensemble de la région. En plus de maintenir son offre de services et de continuer ses activités, déjà bien appréciées par ses membres, le Pôle s'engagera dans la prochaine année sur la voie de l'écoresponsabilité et de l'innovation au sein des entreprises collectives. Le travail se poursuivra donc pour faire de l'économie sociale une référence pour le développement durable du territoire.

Bien qu'elle ait fait un bond important dans les dernières années, la pleine reconnaissance de l'économie sociale n'est pas encore atteinte. Le Pôle doit continuer à s'ancrer comme mouvement dans la région contribuant lui-même au déploiement international de l'économie sociale et solidaire. Ce mouvement n'existerait pas sans nos membres, notre conseil d'administration, notre équipe et les nombreux acteurs socioéconomiques qui appuient notre mission.

Merci à vous!""",
)

# Section introductions: objective -> (title, body, photo caption)
SECTION_INTROS = {
    "Consolidation du Pôle": (
        "Des résultats éloquents",
        "L'année 2016-2017 s'est avérée bien remplie! Vous trouverez dans les prochaines pages une "
        "description de nos principales initiatives ainsi qu'une liste des événements qui ont été réalisés "
        "par nous ou encore en partenariat avec de nombreux organismes du territoire.",
        "",
    ),
    "Concertation et collaboration": (
        "",
        "Le Pôle a mis en place l'an dernier la Table des conseillères et conseillers de première ligne en "
        "économie sociale, qui regroupe les partenaires organisationnels, municipaux et gouvernementaux afin "
        "de créer un espace de partage d'information et de communauté de pratiques permettant aux acteurs "
        "d'être tous bien informés et outillés pour répondre aux besoins des promoteurs collectifs. Pour "
        "jouer son rôle, le Pôle est présent sur la scène régionale et nationale, participe à différents "
        "comités et en fait rapport à son conseil d'administration et à la Table des conseillères et "
        "conseillers de première ligne en économie sociale :",
        "La délégation de la Capitale-Nationale en visite dans la Nouvelle-Aquitaine.",
    ),
}

# Figures printed by the report that the data cannot give, or gives differently:
# 37 % and 125 have no source in the data; the report printed 26 activities and
# 1650 participants where its own list adds up to 25 and 1540.
DECLARED_FIGURES = [
    ("social_media", 37, "Part des personnes rejointes par les réseaux sociaux (rapport imprimé)."),
    ("businesses_reached", 125, "Entreprises rejointes (rapport imprimé)."),
    ("activities", 26, "Chiffre du rapport imprimé; la liste des activités en compte 25."),
    ("participants", 1650, "Chiffre du rapport imprimé; la somme des activités listées donne 1540."),
]

DEMO_ACCOUNTS = [
    # (e-mail, first name, last name, group or None for the member representative)
    ("direction@exemple.org", "Félix", "Bussières", "Direction"),
    ("personnel@exemple.org", "Yannick", "Fortier", "Personnel"),
    ("membre@exemple.org", "Julie", "Tremblay", None),
]

# Two upcoming events of the current fiscal year, so that the public calendar is never empty.
# Their dates are counted from the day the demo is loaded (``days``, kept within the fiscal
# year); they are looked up by title, so loading again moves them instead of adding more.
DEMO_EVENTS = [
    {
        "title": "Atelier : vendre aux acheteurs institutionnels",
        "days": 14,
        "start": "09:00",
        "end": "12:00",
        "objective": "Augmenter les ventes des entreprises",
        "territory": "Québec",
        "place": "Maison de la coopération, Québec",
        "capacity": 25,
        "member_price": "0",
        "non_member_price": "40",
        "description": (
            "Un atelier pratique pour comprendre les appels d'offres des établissements publics et "
            "rencontrer des acheteurs.\n\nCafé et viennoiseries servis dès 8 h 30."
        ),
        "registrations": [
            ("Julie Tremblay", "membre@exemple.org", "Coopérative funéraire des Deux Rives", ""),
            ("Marc-André Gagnon", "marc-andre.gagnon@exemple.org", "", "Végétarien"),
            ("Sophie Lavoie", "sophie.lavoie@exemple.org", "", ""),
        ],
    },
    {
        "title": "Déjeuner d'affaires de l'économie sociale",
        "days": 35,
        "start": "07:30",
        "end": "09:00",
        "objective": "Concertation et collaboration",
        "territory": "Portneuf",
        "place": "Saint-Raymond",
        "capacity": 4,
        "member_price": "15",
        "non_member_price": "25",
        "description": "Un déjeuner pour tisser des liens entre entreprises d'économie sociale de Portneuf.",
        "registrations": [
            ("Isabelle Roy", "isabelle.roy@exemple.org", "", ""),
            ("Patrick Côté", "patrick.cote@exemple.org", "", "Sans gluten"),
            ("Nathalie Bouchard", "nathalie.bouchard@exemple.org", "", ""),
            ("Louis Pelletier", "louis.pelletier@exemple.org", "", ""),
            ("Chantal Morin", "chantal.morin@exemple.org", "", ""),
        ],
    },
]

# Dues (members/billing/dues.py). 2016-2017 as recorded: every membership 150 $; each of that year's
# memberships gets an invoice issued in April-May 2016 and paid within the year.
DUES_RATES = {
    "2016-2017": {"R": "150.00", "G": "150.00", "AM": "150.00", "F": "150.00"},
    "2017-2018": {"R": "160.00", "G": "300.00", "AM": "500.00", "F": "250.00"},
}
DUES_2016_FIRST_INVOICE = "2016-04-04"
# The 2017-2018 campaign, opened on this day: every 2016-2017 member was invited. A few have
# renewed: (member, invoice date, payments as (date, amount, method, reference)). No payment:
# unpaid and, the due date past, late. The demo representative's member has not renewed, so
# its portal shows « Renouveler pour 2017-2018 ».
CAMPAIGN_2017_OPENED = "2017-04-03"
RENEWALS_2017 = [
    ("Caisse d'économie solidaire Desjardins", "2017-04-05", [("2017-04-20", "500.00", "transfer", "VIR-88213")]),
    ("Réseau des CPE de la Capitale-Nationale", "2017-04-06", [("2017-04-28", "300.00", "cheque", "1042")]),
    ("Imprimerie coopérative L'Encre verte", "2017-04-10", [("2017-05-02", "250.00", "cheque", "311")]),
    ("Mutuelle de prévention Horizon", "2017-04-11", [("2017-05-05", "160.00", "transfer", "VIR-90117")]),
    ("Ressourcerie La Récupe", "2017-04-12", [("2017-05-19", "80.00", "cheque", "77")]),
    ("Coopérative de travailleurs Vélo-Cité", "2017-04-18", []),
    ("Atelier de menuiserie Le Copeau", "2017-04-24", []),
]
