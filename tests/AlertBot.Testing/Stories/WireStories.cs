using AlertBot.Core.Items;

namespace AlertBot.Testing.Stories;

/// <summary>
/// Realistic copy for story tests: one wire story as five outlets carried it (headline suffixes, a trimmed teaser,
/// small edits), and other stories about the same actors on the same day.
/// </summary>
public static class WireStories
{
    public const string QaaniBody =
        "BAGHDAD (AP) — The commander of Iran's elite Quds Force, Esmail Qaani, made an unannounced visit to Baghdad on " +
        "Tuesday to meet leaders of Iraq's Shiite militias, two Iraqi officials said, as Tehran seeks to keep its allies " +
        "from being drawn into a wider regional war. Qaani met commanders of Kataib Hezbollah and the Popular Mobilization " +
        "Forces at a villa in the capital's Green Zone, the officials said, speaking on condition of anonymity because they " +
        "were not authorized to brief reporters. He urged them to halt drone attacks on U.S. forces in Iraq and Syria, one of " +
        "the officials said. The visit came days after a drone strike killed three American soldiers at a base in Jordan. " +
        "Iraq's government has been caught between Washington and Tehran, and Prime Minister Mohammed Shia al-Sudani has " +
        "called for the withdrawal of the U.S.-led coalition.";

    /// <summary>(outlet, title, link, body) for the same story from five outlets.</summary>
    public static IReadOnlyList<(string Outlet, string Title, string Link, string Body)> QaaniCopies { get; } =
    [
        ("Associated Press", "Iran's Quds Force chief Qaani makes unannounced visit to Baghdad to meet militia leaders",
            "https://apnews.example/article/iran-iraq-qaani-militias-0a1b2c", QaaniBody),
        ("Yahoo News", "Iran's Quds Force chief Qaani makes unannounced visit to Baghdad to meet militia leaders - Yahoo News",
            "https://news.yahoo.example/iran-quds-force-chief-qaani-093512345.html?src=rss",
            QaaniBody.Replace("BAGHDAD (AP) — ", "", StringComparison.Ordinal)),
        ("ABC News", "UPDATE: Iran's Quds Force chief Qa'ani makes unannounced visit to Baghdad to meet militia leaders | ABC News",
            "https://abcnews.example/International/wireStory/iran-quds-force-chief-visit-baghdad-106789",
            QaaniBody.Replace("Tuesday", "Tuesday evening", StringComparison.Ordinal)
                .Replace("two Iraqi officials said", "according to two Iraqi officials", StringComparison.Ordinal)),
        ("Times of Israel", "Quds Force chief Qaani in surprise Baghdad visit to meet Iraqi militia leaders",
            "https://timesofisrael.example/liveblog_entry/quds-force-chief-qaani-baghdad/",
            QaaniBody.Replace("U.S.", "US", StringComparison.Ordinal) + " Israel has accused Iran of arming militias across the region."),
        ("Arab News", "Iran's Quds Force chief Qaani makes unannounced visit to Baghdad",
            "https://arabnews.example/node/2451234/middle-east",
            // A teaser: the feed carries only the opening of the article.
            string.Join(' ', QaaniBody.Split(' ').Take(70)) + " …"),
    ];

    /// <summary>Same actors, same day, a different event.</summary>
    public static (string Title, string Link, string Body) QaaniSanctions { get; } = (
        "US sanctions Iraqi militia financiers linked to Iran's Qaani",
        "https://reuters.example/world/us-sanctions-iraqi-militia-financiers-2026-11-27/",
        "WASHINGTON (Reuters) — The U.S. Treasury on Tuesday imposed sanctions on six people and two companies it said " +
        "moved money for Kataib Hezbollah on behalf of Iran's Quds Force, whose commander Esmail Qaani oversees Tehran's " +
        "network of allied militias. The designations target a Baghdad-based exchange house and an airline executive " +
        "accused of flying cash and weapons from Iran to Iraq, the Treasury said in a statement. Iraq's central bank said " +
        "it would review the accounts of the companies named. Kataib Hezbollah did not respond to a request for comment. " +
        "The sanctions follow a drone strike that killed three American soldiers in Jordan.");

    /// <summary>Same actors, same day, another different event.</summary>
    public static (string Title, string Link, string Body) MilitiaDroneAttack { get; } = (
        "Drone attack on US base in Syria blamed on Iran-backed Iraqi militia",
        "https://aljazeera.example/news/2026/11/27/drone-attack-us-base-syria",
        "A drone struck a base housing U.S. troops in eastern Syria on Tuesday, causing minor injuries, the Pentagon said, " +
        "blaming the Islamic Resistance in Iraq, an umbrella group of Iran-backed militias that includes Kataib Hezbollah. " +
        "The attack came hours after Iran's Quds Force commander Esmail Qaani was reported to have visited Baghdad. " +
        "Militia leaders in Iraq have said attacks will continue until U.S. forces leave the region.");

    public static NewsItem Item(string title, string link, string body, string outlet = "") =>
        new() { Id = link, Link = link, Title = title, Text = body, SourceName = outlet };
}
