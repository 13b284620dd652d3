create table code_future (id integer primary key);
