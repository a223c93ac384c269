using AlertBot.Core.Text;

namespace AlertBot.Core.Tests.Text;

public sealed class TextNormalizerTests
{
    [Theory]
    [InlineData("HOUTHIS", "houthis")]
    [InlineData("Qāʾānī", "qa'ani")]
    [InlineData("Qa’ani", "qa'ani")]
    [InlineData("Qa‘ani", "qa'ani")]
    [InlineData("Qaʼani", "qa'ani")]
    [InlineData("Qaʻani", "qa'ani")]
    [InlineData("Qa`ani", "qa'ani")]
    [InlineData("Qa´ani", "qa'ani")]
    [InlineData("Bab el‐Mandeb", "bab el-mandeb")]
    [InlineData("Bab el‑Mandeb", "bab el-mandeb")]
    [InlineData("Bab el‒Mandeb", "bab el-mandeb")]
    [InlineData("Bab el–Mandeb", "bab el-mandeb")]
    [InlineData("Bab el—Mandeb", "bab el-mandeb")]
    [InlineData("Bab el−Mandeb", "bab el-mandeb")]
    [InlineData("Ḥizbullāh", "hizbullah")]
    [InlineData("Éire Ñandú Øre", "eire nandu øre")]
    [InlineData("İSTANBUL", "istanbul")]
    public void Folds_case_diacritics_apostrophes_and_hyphens(string input, string expected) =>
        Assert.Equal(expected, TextNormalizer.Normalize(input));

    [Fact]
    public void Arabic_harakat_and_tatweel_are_dropped_but_letters_kept()
    {
        // حِزْبُ ٱللَّٰهِ with vowel marks, and a tatweel-stretched حـزب.
        Assert.Equal(TextNormalizer.Normalize("حزب"), TextNormalizer.Normalize("حِزْبُ"));
        Assert.Equal(TextNormalizer.Normalize("حزب"), TextNormalizer.Normalize("حـزب"));
        Assert.Equal(3, TextNormalizer.Normalize("حزب").Length);
    }

    [Fact]
    public void Full_width_letters_fold_to_ascii() =>
        Assert.Equal("iran", TextNormalizer.Normalize("ＩＲＡＮ"));

    [Theory]
    [InlineData("الحوثيون", "الحوثیون")] // Arabic yeh / Farsi yeh
    [InlineData("قاآنی", "قاانی")] // alef with madda / bare alef
    [InlineData("قاآنی", "قاآني")]
    [InlineData("أنصار الله", "انصار الله")] // alef with hamza above
    [InlineData("إسماعيل", "اسماعيل")] // alef with hamza below
    [InlineData("ٱلله", "الله")] // alef wasla
    [InlineData("مصطفى", "مصطفي")] // alef maksura
    [InlineData("كتائب", "کتایب")] // kaf / keheh, yeh with hamza / Farsi yeh
    [InlineData("مؤتمر", "موتمر")] // waw with hamza
    [InlineData("المقاومة", "المقاومه")] // teh marbuta / heh
    [InlineData("حِزْبُ ٱللَّٰهِ", "حزب الله")] // harakat, dagger alef, wasla
    [InlineData("حـــزب", "حزب")] // tatweel
    [InlineData("٢٠٢٥", "2025")] // Arabic-Indic digits
    [InlineData("۲۰۲۵", "2025")] // Persian digits
    public void Arabic_script_variants_fold_alike(string a, string b) =>
        Assert.Equal(TextNormalizer.Normalize(b), TextNormalizer.Normalize(a));

    [Fact]
    public void Arabic_folding_keeps_letters_that_differ()
    {
        Assert.NotEqual(TextNormalizer.Normalize("حزب"), TextNormalizer.Normalize("حرب")); // party / war
        Assert.NotEqual(TextNormalizer.Normalize("سپاه"), TextNormalizer.Normalize("سپه")); // the Guards / Bank Sepah's "Sepah"
    }
}
