// Texts of the portal in Bahasa Indonesia (default) and English, and the
// number and date formats people expect: 742,50 and WIB.
const texts = {
  id: {
    site: 'Hasil Evaluasi Kabupaten/Kota Layak Anak',
    ministry: 'Kementerian Pemberdayaan Perempuan dan Perlindungan Anak',
    nav_national: 'Nasional', nav_ranking: 'Peringkat', nav_announcements: 'Pengumuman', nav_data: 'Data terbuka',
    switch_lang: 'English', switch_lang_code: 'en',
    cycle: 'Siklus', awarded_of: '{awarded} dari {total} kabupaten/kota meraih predikat',
    per_predicate: 'Kabupaten/kota per predikat', predicate: 'Predikat', count: 'Jumlah',
    provila: 'Provinsi Layak Anak (Provila)', provila_none: 'Belum ada provinsi yang semua kabupaten/kotanya berpredikat.',
    map: 'Peta provinsi', map_hint: 'Warna: bagian kabupaten/kota berpredikat. Bintang: Provila. Pilih provinsi untuk rinciannya.',
    top: 'Peringkat teratas', rank: 'Peringkat', region: 'Kabupaten/kota', province: 'Provinsi', score: 'Nilai',
    changes: 'Perubahan dari {previous}', changes_title: 'Perubahan predikat', up: 'Naik predikat', down: 'Turun predikat', no_changes: 'Tidak ada perubahan predikat.',
    no_previous: 'Belum ada siklus sebelumnya untuk dibandingkan.',
    whole_ranking: 'Lihat seluruh peringkat', share: '{share} berpredikat', awarded: 'berpredikat',
    countdown: 'Hasil {cycle} diumumkan pada {time}', countdown_left: 'dalam {d} hari {h} jam {m} menit',
    none_announced: 'Belum ada hasil yang diumumkan.', loading: 'Memuat…', error: 'Data tidak dapat dimuat: {message}',
    filter: 'Saring', search: 'Cari nama', all: 'Semua', kind: 'Jenis', kabupaten: 'Kabupaten', kota: 'Kota',
    sort: 'Urutkan', by_rank: 'Peringkat terbaik', by_rank_desc: 'Peringkat terendah', by_name: 'Nama A–Z', by_name_desc: 'Nama Z–A',
    page_of: 'Halaman {page} dari {pages} ({total} kabupaten/kota)', prev: 'Sebelumnya', next: 'Berikutnya', apply: 'Terapkan',
    missing: 'Belum berpredikat', complete: 'Semua kabupaten/kota berpredikat: Provila',
    province_rank: 'Peringkat provinsi', national_rank: 'Peringkat nasional', of: 'dari {n}',
    clusters: 'Nilai per klaster', cluster: 'Klaster', indicators: 'Nilai per indikator', indicator: 'Indikator',
    feed: 'Umpan Atom untuk portal berita', no_announcements: 'Belum ada pengumuman.',
    data_intro: 'Hasil akhir setiap siklus yang telah diumumkan, untuk diunduh dan digunakan ulang. Isinya sama dengan API publik.',
    downloads: 'Unduhan', dictionary: 'Kamus data', column: 'Kolom', meaning: 'Arti', licence: 'Lisensi',
    licence_text: 'Data ini boleh disalin, diolah dan diterbitkan ulang dengan menyebut sumbernya, Kementerian Pemberdayaan Perempuan dan Perlindungan Anak, di bawah lisensi',
    api_title: 'API untuk sistem lain', api_text: 'Sistem instansi lain dapat membaca data yang sama melalui API HTTP/JSON:',
    reference: 'dokumentasi API', no_data: 'Belum ada siklus yang diumumkan.',
    d_siklus: 'Kode siklus, mis. 2025.', d_peringkat: 'Peringkat nasional (peringkat kompetisi: nilai sama, peringkat sama, peringkat berikutnya dilompati).',
    d_peringkat_provinsi: 'Peringkat di dalam provinsinya.', d_kode_wilayah: 'Kode wilayah Kemendagri kabupaten/kota, mis. 35.72.',
    d_nama_wilayah: 'Nama resmi kabupaten/kota.', d_kode_provinsi: 'Kode wilayah Kemendagri provinsi, mis. 35.',
    d_nama_provinsi: 'Nama resmi provinsi.', d_nilai: 'Nilai akhir 0–1000, dua angka desimal dengan titik (742.50).',
    d_predikat: 'KLA, UTAMA, NINDYA, MADYA, PRATAMA, atau NONE (tanpa predikat).',
    data_note: 'Hanya kabupaten/kota yang dinilai sampai verifikasi akhir yang tercantum. Berkas CSV: UTF-8, dipisah koma. JSON: jawaban GetRanking dengan semua entri.',
    compare: 'Bandingkan', compare_with: 'Bandingkan dengan daerah lain (paling banyak 3)', compare_search: 'Cari kabupaten/kota',
    compare_add: 'Tambahkan {name}', compare_remove: 'Hapus {name} dari perbandingan', compare_full: 'Sudah 3 daerah dibandingkan.',
    compare_none: 'Tidak ada kabupaten/kota yang cocok.', cluster_chart: 'Persentase nilai per klaster', history: 'Predikat dari siklus ke siklus',
    not_ranked: 'Tidak dinilai', share_of: '{pct} dari nilai maksimum',
    P1: 'Tanpa predikat', P2: 'Pratama', P3: 'Madya', P4: 'Nindya', P5: 'Utama', P6: 'KLA',
  },
  en: {
    site: 'Child-Friendly Regency/City Evaluation Results',
    ministry: 'Ministry of Women\'s Empowerment and Child Protection',
    nav_national: 'National', nav_ranking: 'Ranking', nav_announcements: 'Announcements', nav_data: 'Open data',
    switch_lang: 'Bahasa Indonesia', switch_lang_code: 'id',
    cycle: 'Cycle', awarded_of: '{awarded} of {total} regencies and cities received an award',
    per_predicate: 'Regencies and cities per award level', predicate: 'Award level', count: 'Number',
    provila: 'Child-Friendly Provinces (Provila)', provila_none: 'No province has an award for every regency and city yet.',
    map: 'Map of the provinces', map_hint: 'Colour: share of regencies and cities with an award. Star: Provila. Choose a province for its details.',
    top: 'Top of the ranking', rank: 'Rank', region: 'Regency/city', province: 'Province', score: 'Score',
    changes: 'Changes since {previous}', changes_title: 'Award level changes', up: 'Moved up', down: 'Moved down', no_changes: 'No award level changed.',
    no_previous: 'No earlier cycle to compare with yet.',
    whole_ranking: 'See the whole ranking', share: '{share} awarded', awarded: 'awarded',
    countdown: 'The {cycle} results are announced on {time}', countdown_left: 'in {d} days {h} hours {m} minutes',
    none_announced: 'No results have been announced yet.', loading: 'Loading…', error: 'The data could not be loaded: {message}',
    filter: 'Filter', search: 'Search by name', all: 'All', kind: 'Type', kabupaten: 'Regency', kota: 'City',
    sort: 'Sort', by_rank: 'Best rank', by_rank_desc: 'Lowest rank', by_name: 'Name A–Z', by_name_desc: 'Name Z–A',
    page_of: 'Page {page} of {pages} ({total} regencies and cities)', prev: 'Previous', next: 'Next', apply: 'Apply',
    missing: 'Without an award', complete: 'Every regency and city has an award: Provila',
    province_rank: 'Rank in the province', national_rank: 'National rank', of: 'of {n}',
    clusters: 'Points per cluster', cluster: 'Cluster', indicators: 'Points per indicator', indicator: 'Indicator',
    feed: 'Atom feed for newsrooms', no_announcements: 'No announcements yet.',
    data_intro: 'The final results of every announced cycle, to download and reuse. They hold what the public API gives.',
    downloads: 'Downloads', dictionary: 'Data dictionary', column: 'Column', meaning: 'Meaning', licence: 'Licence',
    licence_text: 'You may copy, adapt and republish this data, naming its source, the Ministry of Women\'s Empowerment and Child Protection, under the licence',
    api_title: 'API for other systems', api_text: 'Other agencies\' systems can read the same data through the HTTP/JSON API:',
    reference: 'API reference', no_data: 'No cycle has been announced yet.',
    d_siklus: 'Cycle code, e.g. 2025.', d_peringkat: 'National rank (competition ranking: equal scores share a rank and the next rank is skipped).',
    d_peringkat_provinsi: 'Rank within its province.', d_kode_wilayah: 'Kemendagri code of the regency/city, e.g. 35.72.',
    d_nama_wilayah: 'Official name of the regency/city.', d_kode_provinsi: 'Kemendagri code of the province, e.g. 35.',
    d_nama_provinsi: 'Official name of the province.', d_nilai: 'Final score 0–1000, two decimals with a point (742.50).',
    d_predikat: 'KLA, UTAMA, NINDYA, MADYA, PRATAMA, or NONE (no award).',
    data_note: 'Only regencies and cities scored through the final verification are listed. CSV: UTF-8, comma-separated. JSON: the GetRanking answer with every entry.',
    compare: 'Compare', compare_with: 'Compare with other regions (at most 3)', compare_search: 'Find a regency or city',
    compare_add: 'Add {name}', compare_remove: 'Remove {name} from the comparison', compare_full: 'Three regions are compared already.',
    compare_none: 'No regency or city matches.', cluster_chart: 'Share of the points per cluster', history: 'Award level over the cycles',
    not_ranked: 'Not scored', share_of: '{pct} of the maximum',
    P1: 'No award', P2: 'Pratama', P3: 'Madya', P4: 'Nindya', P5: 'Utama', P6: 'KLA',
  },
};

const PREDICATES = ['PREDICATE_NONE', 'PREDICATE_PRATAMA', 'PREDICATE_MADYA', 'PREDICATE_NINDYA', 'PREDICATE_UTAMA', 'PREDICATE_KLA'];

export let lang = 'id';

export function setLang(value) {
  lang = value === 'en' ? 'en' : 'id';
  document.documentElement.lang = lang;
}

export function t(key, vars = {}) {
  const text = texts[lang][key] ?? texts.id[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
}

// Award levels from lowest (no award) to highest, as the API names them.
export const predicates = PREDICATES;
export const predicateName = (p) => t(`P${Math.max(1, PREDICATES.indexOf(p) + 1)}`);
export const predicateLevel = (p) => Math.max(0, PREDICATES.indexOf(p));

const locale = () => (lang === 'en' ? 'en-GB' : 'id-ID');

// Points come as {hundredths: "74250"}: 742,50.
export function points(p) {
  const hundredths = Number(p?.hundredths ?? 0);
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(hundredths / 100);
}

export const integer = (n) => new Intl.NumberFormat(locale()).format(n);
export const percent = (x) => new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 0 }).format(x);

export function wib(timestamp) {
  const f = new Intl.DateTimeFormat(locale(), {
    timeZone: 'Asia/Jakarta', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit',
  });
  return `${f.format(new Date(timestamp))} WIB`;
}
