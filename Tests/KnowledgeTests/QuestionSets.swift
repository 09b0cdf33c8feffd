import Knowledge

/// Questions over the evaluation corpus beyond the retrieval-quality ones, written as users ask:
/// in other words than the documents', with the documents that answer them.
///
/// The retrieval-quality questions (``EvaluationCorpus/questions``) and ``tuningUnanswerable``
/// are the tuning set: the fusion weights, the calibration and the abstention's weights were
/// chosen on them. ``heldOut`` and ``heldOutUnanswerable`` were written after those choices and
/// only measure them.
enum QuestionSets {
    /// Questions nothing in the corpus answers, for tuning: general knowledge and near misses.
    static let tuningUnanswerable: [String] =
        EvaluationCorpus.offTopic + [
            "What is the population of Canada?", "How do I make pancakes?", "Who discovered penicillin?", "What is the square root of 144?",
            "How far is the Moon from Earth?", "Which animal is the fastest on land?", "What is the chemical symbol for gold?",
            "How do I tie a tie?", "What year did the Berlin Wall fall?", "What is the tallest building in the world?",
            // near misses: the product, the company, the documents' subjects, but not what they say
            "Does Beacon integrate with HubSpot?", "Can we import documents from Box?", "Is there an iPhone app for Beacon?",
            "What will the Growth plan cost in 2026?", "What was our revenue in the third quarter?", "How many days of sick leave do we get?",
            "Who is the chief technology officer?", "What is the street address of the Singapore office?", "Is Beacon ISO 27001 certified?",
            "What budget does the Sales department have?", "What discount do startups get?", "What uptime does the Enterprise plan guarantee?",
            "How much does the company contribute to pensions?", "How long are application logs retained?", "Does Beacon run on Azure?",
            "Where can staff park at the office?", "Who won the sales award last year?", "What is the notice period for resigning?",
        ]

    /// Answerable questions written after the tuning, with the documents that answer them.
    static let heldOut: [(String, Set<String>)] = [
        ("Where are Beacon's servers located?", ["Product Overview", "Customer FAQ"]),
        ("Which company makes Beacon?", ["Product Overview", "Press Release"]),
        ("How many agents does the Growth plan allow?", ["Product Overview", "Pricing 2025"]),
        ("Is data protected when it travels over the network?", ["Product Overview"]),
        ("Does the website chat hand difficult conversations to a person?", ["Feature Guide"]),
        ("Which helpdesk tools does agent assist work inside?", ["Feature Guide", "Press Release"]),
        ("Can customers on the Starter plan use agent assist?", ["Feature Guide", "Press Release"]),
        ("Where can we import content from?", ["Feature Guide"]),
        ("What is the root address of the API?", ["API Documentation"]),
        ("How many calls a minute can one key make?", ["API Documentation"]),
        ("How do I check that a webhook call really came from Beacon?", ["API Documentation"]),
        ("Where in the console do I create a key?", ["API Documentation"]),
        ("What status code comes back for an empty question?", ["API Documentation"]),
        ("What is the secondary colour called?", ["Brand Guidelines"]),
        ("Am I allowed to change the colour of the logo?", ["Brand Guidelines"]),
        ("What learning allowance does each employee get?", ["Onboarding Handbook"]),
        ("When does health cover start for new hires?", ["Onboarding Handbook"]),
        ("What does a new joiner do on their first Friday?", ["Onboarding Handbook"]),
        ("What is the total budget across all departments?", ["Budget 2025"]),
        ("How much does paid search cost us over the year?", ["Budget 2025"]),
        ("When was the support department's budget signed off?", ["Budget 2025"]),
        ("How many product designers are we hiring?", ["Hiring Pipeline"]),
        ("When should the new support engineers start?", ["Hiring Pipeline"]),
        ("Where should staff post questions for the all-hands?", ["All-Hands Q2"]),
        ("Which market segment converts best in the Q3 campaign?", ["Q3 Campaign Plan"]),
        ("Which database holds the documents?", ["Architecture Overview"]),
        ("How is the platform deployed in each region?", ["Architecture Overview"]),
        ("How many agents should a good prospect have?", ["Sales Playbook"]),
        ("What is the monthly price of the Growth tier?", ["Pricing 2025", "Product Overview"]),
        ("Within how many minutes must a bridge be opened for a Sev 1?", ["Incident Response Runbook"]),
        ("How often should the status page be updated during an outage?", ["Incident Response Runbook"]),
        ("Must database changes stay compatible with the previous version?", ["Deployment Guide"]),
        ("Who has to approve the press release before a launch?", ["Launch Checklist"]),
        ("Do I need a credit card to start the trial?", ["Customer FAQ"]),
        ("When does a cancelled monthly plan stop?", ["Customer FAQ"]),
        ("How long did it take to resolve the password reset ticket?", ["Support Tickets"]),
        ("Who is reviewing the copy on the pricing page?", ["Meeting Notes"]),
        ("Which region went live in the first quarter?", ["Roadmap Review"]),
        ("Which plans include agent assist?", ["Press Release", "Feature Guide"]),
        ("What was the gross margin last quarter?", ["Q2 Board Report"]),
        ("How many enterprise customers did we sign in Q2?", ["Q2 Board Report"]),
        ("What share of startup customers churned?", ["Customer Churn Analysis"]),
        ("What do sellers earn above 110 percent of quota?", ["Sales Kickoff 2025"]),
        ("What does Japan need before we launch there?", ["Sales Kickoff 2025"]),
        ("Which audience is the spring campaign aimed at?", ["Spring Campaign Brief"]),
        ("What font size is body text?", ["Style Guide"]),
        ("What do I need to get access to production?", ["Information Security Policy"]),
        ("How many customers asked for analytics exports?", ["Roadmap 2025"]),
        ("Who leads engineering for the Teams app?", ["Launch Plan: Teams App"]),
        ("When does the on-call rotation change over?", ["On-call Handbook"]),
        ("What search technology is Atlas replacing?", ["Design Review Notes: Atlas"]),
        ("How many support agents will be trained for Harbour Retail?", ["Proposal: Harbour Retail Support Revamp"]),
        ("How much was invoiced to Northwind Traders?", ["Invoices 2025"]),
        ("What success metric came out of the discovery workshop?", ["Discovery Workshop"]),
        ("Do I need permission to fly for work?", ["Travel Policy"]),
        ("How are desks allocated after the office move?", ["Weekly Team Meeting"]),
    ]

    /// Questions nothing in the corpus answers, written after the tuning.
    static let heldOutUnanswerable: [String] = [
        "What is the speed of light in a vacuum?", "Who painted the Mona Lisa?", "How do I change a flat tyre on my bike?",
        "What is a good recipe for lasagne?", "When did the Roman Empire fall?", "How many moons does Jupiter have?",
        "What is the best way to learn the piano?", "Which river is the longest in Africa?", "How do I renew my passport?",
        "What are the symptoms of the flu?", "Who is the current president of France?", "How do I train my dog to sit?",
        "What is the exchange rate between dollars and yen today?", "Which planet is closest to the sun?",
        "How many calories are in a banana?", "What time does the supermarket close on Sundays?", "How do you say thank you in Japanese?",
        "What is the plot of Hamlet?", "How do I fix a leaking kitchen tap?", "Which programming language is best for games?",
        // near misses
        "Does Beacon integrate with Salesforce?", "Can Beacon import content from Notion?", "Is there an Android app for Beacon?",
        "What will the Starter plan cost in 2027?", "What is on the roadmap for 2026?", "What was revenue in the third quarter?",
        "How much is the marketing budget for 2026?", "What is the rate limit in version 3 of the API?",
        "How many days of parental leave do employees get?", "What is the dress code at the office?",
        "How much do we pay towards dental care?", "Who is the CEO of Githaf Consulting?", "What is the phone number of the support hotline?",
        "How many engineers work in the Singapore office?", "What is the Wi-Fi password at the office?", "When is the company Christmas party?",
        "What discount do students get?", "Does the API support GraphQL?", "Is Beacon HIPAA compliant?",
        "What is the budget for the Q4 holiday campaign?", "Who is the candidate for the product designer role?",
        "When will agent assist come to Intercom?", "How much did we spend on the office party?", "What is the cancellation fee for annual plans?",
        "What does the Atlas service cost to run each month?", "When is the next board meeting?", "What is the refund policy for annual subscriptions?",
        "How do I reset two-factor authentication for a user?", "What is the largest file size the importer accepts?",
        "Which Slack channel is used for incidents?",
    ]

    /// The same questions in German, French and Spanish (English documents).
    static let otherLanguages: [(Language, String, Set<String>)] = [
        (.german, "Wie viel kostet der Starter-Tarif im Monat?", ["Product Overview", "Pricing 2025"]),
        (.german, "Wie viele Urlaubstage bekommen die Mitarbeiter?", ["Onboarding Handbook"]),
        (.german, "Wie lang muss ein Passwort mindestens sein?", ["Information Security Policy"]),
        (.german, "Wann erscheint die App für Microsoft Teams?", ["Launch Plan: Teams App"]),
        (.german, "Wie oft werden Backups gemacht und wie lange aufbewahrt?", ["Architecture Overview"]),
        (.german, "Welche Schriftart verwenden die Überschriften?", ["Style Guide"]),
        (.german, "Wie viel darf ein Hotel pro Nacht in einer Hauptstadt kosten?", ["Travel Policy"]),
        (.german, "Was bedeutet ein HTTP-Fehler 401?", ["API Documentation"]),
        (.german, "Wann zieht das Büro in die Docklands?", ["Weekly Team Meeting"]),
        (.german, "Wie hoch war der Umsatz im zweiten Quartal?", ["Q2 Board Report"]),
        (.german, "Welche Rechnung ist überfällig?", ["Invoices 2025"]),
        (.german, "Was ist der Hex-Wert unserer Hauptfarbe?", ["Brand Guidelines"]),
        (.french, "Combien coûte l'offre Starter par mois ?", ["Product Overview", "Pricing 2025"]),
        (.french, "Combien de jours de congés payés les employés ont-ils ?", ["Onboarding Handbook"]),
        (.french, "Quelle est la longueur minimale d'un mot de passe ?", ["Information Security Policy"]),
        (.french, "Quand l'application Microsoft Teams sera-t-elle lancée ?", ["Launch Plan: Teams App"]),
        (.french, "À quelle fréquence les sauvegardes sont-elles faites ?", ["Architecture Overview"]),
        (.french, "Quelle police utilisent les titres ?", ["Style Guide"]),
        (.french, "Quel est le budget d'hôtel par nuit dans une capitale ?", ["Travel Policy"]),
        (.french, "Que signifie une erreur HTTP 401 ?", ["API Documentation"]),
        (.french, "Quand le bureau déménage-t-il aux Docklands ?", ["Weekly Team Meeting"]),
        (.french, "Quel a été le chiffre d'affaires du deuxième trimestre ?", ["Q2 Board Report"]),
        (.french, "Quelle facture est en retard de paiement ?", ["Invoices 2025"]),
        (.french, "Quelle est la valeur hexadécimale de notre couleur principale ?", ["Brand Guidelines"]),
        (.spanish, "¿Cuánto cuesta el plan Starter al mes?", ["Product Overview", "Pricing 2025"]),
        (.spanish, "¿Cuántos días de vacaciones pagadas tienen los empleados?", ["Onboarding Handbook"]),
        (.spanish, "¿Cuál es la longitud mínima de una contraseña?", ["Information Security Policy"]),
        (.spanish, "¿Cuándo se lanza la aplicación para Microsoft Teams?", ["Launch Plan: Teams App"]),
        (.spanish, "¿Con qué frecuencia se hacen copias de seguridad?", ["Architecture Overview"]),
        (.spanish, "¿Qué tipografía usan los titulares?", ["Style Guide"]),
        (.spanish, "¿Cuánto se puede gastar por noche en un hotel en una capital?", ["Travel Policy"]),
        (.spanish, "¿Qué significa un error HTTP 401?", ["API Documentation"]),
        (.spanish, "¿Cuándo se muda la oficina a los Docklands?", ["Weekly Team Meeting"]),
        (.spanish, "¿Cuáles fueron los ingresos del segundo trimestre?", ["Q2 Board Report"]),
        (.spanish, "¿Qué factura está vencida?", ["Invoices 2025"]),
        (.spanish, "¿Cuál es el valor hexadecimal de nuestro color principal?", ["Brand Guidelines"]),
    ]
}
